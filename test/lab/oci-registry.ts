/**
 * A real OCI registry (Debian's docker-registry, distribution 2.8) with token auth, run as a child
 * process on loopback. The ACR front issues the tokens it trusts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID, X509Certificate, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { LabPki } from './pki.js';

export const BACKEND_SERVICE = 'acr-lab-backend';
export const TOKEN_ISSUER = 'acr-lab-front';

export interface OciRegistry {
  url: string;
  signToken(subject: string, scopes: string[]): string;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** `repository:name:pull,push` → the access claim distribution expects. */
export function accessClaims(scopes: string[]): { type: string; name: string; actions: string[] }[] {
  return scopes.flatMap((scope) => {
    const match = /^(repository|registry):(.+):([a-z*,]+)$/.exec(scope);
    return match ? [{ type: match[1]!, name: match[2]!, actions: match[3]!.split(',') }] : [];
  });
}

export async function waitForPort(port: number, host: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startOciRegistry(pki: LabPki, port = 5000): Promise<OciRegistry> {
  const dir = path.join(pki.dir, 'registry');
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    'auth:',
    '  token:',
    '    realm: https://lab-realm.invalid/oauth2/token',
    `    service: ${BACKEND_SERVICE}`,
    `    issuer: ${TOKEN_ISSUER}`,
    `    rootcertbundle: ${pki.caPath}`,
    '',
  ].join('\n');
  const configPath = path.join(dir, 'config.yml');
  writeFileSync(configPath, config);
  const child: ChildProcess = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, '127.0.0.1');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`docker-registry did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  const leafDer = new X509Certificate(pki.tokenSigner.cert).raw;
  return {
    url: `http://127.0.0.1:${port}`,
    signToken(subject, scopes) {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [leafDer.toString('base64')] }));
      const claims = b64url(
        JSON.stringify({ iss: TOKEN_ISSUER, sub: subject, aud: BACKEND_SERVICE, exp: now + 600, nbf: now - 10, iat: now, jti: randomUUID(), access: accessClaims(scopes) }),
      );
      const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: pki.tokenSigner.key, dsaEncoding: 'ieee-p1363' });
      return `${header}.${claims}.${b64url(signature)}`;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

