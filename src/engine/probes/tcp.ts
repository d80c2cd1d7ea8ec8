/** TCP to one address on 443: connected, refused, timed out or unreachable. */
import net from 'node:net';
import type { JsonObject } from '../report/types.js';
import { errorInfo } from '../net/errors.js';
import { type Outcome } from './evidence.js';

const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);

export async function probeTcp(address: string, port: number, signal: AbortSignal): Promise<{ outcome: Outcome; socket?: net.Socket }> {
  const data: JsonObject = { address, port };
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const finish = (result: { outcome: Outcome; socket?: net.Socket }): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      if (!result.socket) socket.destroy();
      else socket.on('error', () => undefined);
      resolve(result);
    };
    const onAbort = (): void => finish({ outcome: { status: 'fail', outcome: 'tcp.timeout', data } });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ outcome: { status: 'pass', outcome: 'tcp.ok', data }, socket }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      const outcome =
        code === 'ECONNREFUSED' ? 'tcp.refused' : UNREACHABLE.has(code) ? 'tcp.unreachable' : code === 'ETIMEDOUT' ? 'tcp.timeout' : 'tcp.error';
      finish({ outcome: { status: 'fail', outcome, data, error: errorInfo(err) } });
    });
  });
}
