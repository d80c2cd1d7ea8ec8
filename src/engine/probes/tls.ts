/** TLS with SNI = the login server, on a socket already connected (directly or through a proxy tunnel). */
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { JsonObject } from '../report/types.js';
import { errorInfo } from '../net/errors.js';
import { type Outcome } from './evidence.js';

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

function certificateFacts(cert: tls.PeerCertificate): JsonObject {
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^DNS:/, ''))
    .filter(Boolean);
  return {
    subject: firstValue(cert.subject?.CN),
    issuer: firstValue(cert.issuer?.CN) || firstValue(cert.issuer?.O),
    names,
    validTo: cert.valid_to ?? '',
  };
}

function firstValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

export async function probeTls(socket: Duplex, servername: string, signal: AbortSignal, via: JsonObject): Promise<Outcome> {
  const data: JsonObject = { servername, ...via };
  return new Promise((resolve) => {
    const secure = tls.connect({ socket, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const finish = (outcome: Outcome): void => {
      signal.removeEventListener('abort', onAbort);
      secure.removeAllListeners();
      secure.on('error', () => undefined);
      secure.destroy();
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ status: 'fail', outcome: 'tls.timeout', data });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => {
      const cert = certificateFacts(secure.getPeerCertificate());
      const facts = { ...data, certificate: cert, protocol: secure.getProtocol() ?? '' };
      const chainError = secure.authorizationError as unknown as Error | string | null;
      const chainCode = typeof chainError === 'string' ? chainError : ((chainError as NodeJS.ErrnoException | null)?.code ?? '');
      if (chainError && chainCode !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
        const outcome = UNTRUSTED.has(chainCode) ? 'tls.untrusted' : EXPIRED.has(chainCode) ? 'tls.expired' : 'tls.invalid';
        return finish({ status: 'fail', outcome, data: facts, error: { code: chainCode, message: String(chainError) } });
      }
      const identity = tls.checkServerIdentity(servername, secure.getPeerCertificate());
      if (identity) {
        return finish({ status: 'fail', outcome: 'tls.name-mismatch', data: facts, error: errorInfo(identity) });
      }
      finish({ status: 'pass', outcome: 'tls.ok', data: facts });
    });
    secure.once('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const outcome = code === 'ECONNRESET' || /socket disconnected|EOF/i.test(err.message) ? 'tls.reset' : 'tls.error';
      finish({ status: 'fail', outcome, data, error: errorInfo(err) });
    });
  });
}
