/**
 * Forward proxies for the lab: a real squid (allowing, denying, or asking for credentials), one
 * that closes on CONNECT (EOF), one that intercepts TLS; and servers that misbehave behind them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { waitForPort } from './oci-registry.js';
import type { KeyPair } from './pki.js';

export interface Stoppable {
  close(): Promise<void>;
}

export const PROXY_PORT = 3128;

export interface ProxyCredentials {
  user: string;
  password: string;
}

/** What the authenticating squid accepts (a password with characters a URL must escape). */
export const LAB_PROXY_CREDENTIALS: ProxyCredentials = { user: 'builder', password: 'pr0xy:p@ss' };

/** Debian's helper that checks Basic credentials against an htpasswd-style file. */
const NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth';

/** Squid's answer to a CONNECT without valid credentials is 407 with a Basic challenge. */
function authLines(home: string, credentials: ProxyCredentials): string[] {
  if (!existsSync(NCSA_AUTH)) throw new Error(`${NCSA_AUTH} is missing: the squid package should ship it`);
  // An apr1 (MD5) hash, which basic_ncsa_auth reads like Apache's htpasswd files.
  const hash = execFileSync('openssl', ['passwd', '-apr1', credentials.password]).toString().trim();
  const passwd = path.join(home, 'passwd');
  writeFileSync(passwd, `${credentials.user}:${hash}\n`, { mode: 0o644 });
  return [
    `auth_param basic program ${NCSA_AUTH} ${passwd}`,
    'auth_param basic realm acr-lab-proxy',
    'acl authed proxy_auth REQUIRED',
    'http_access deny !authed',
  ];
}

/**
 * Debian's squid: CONNECT to *.azurecr.io allowed, to the `denied` hosts answered 403; with
 * `credentials`, every request without them (or with wrong ones) is answered 407 first.
 */
export async function startSquid(address: string, dnsServer: string, denied: string[], credentials?: ProxyCredentials): Promise<Stoppable> {
  // Its own folder: squid drops to user `proxy`, which must be able to write there.
  const home = mkdtempSync(path.join(os.tmpdir(), 'acr-lab-squid-'));
  const proxyUid = Number(execFileSync('id', ['-u', 'proxy']).toString().trim());
  const proxyGid = Number(execFileSync('id', ['-g', 'proxy']).toString().trim());
  chownSync(home, proxyUid, proxyGid);
  const conf = [
    `http_port ${address}:${PROXY_PORT}`,
    'visible_hostname acr-lab-proxy',
    `pid_filename ${path.join(home, 'squid.pid')}`,
    `cache_log ${path.join(home, 'cache.log')}`,
    `access_log stdio:${path.join(home, 'access.log')}`,
    `coredump_dir ${home}`,
    'cache deny all',
    'cache_mem 8 MB',
    'icp_port 0',
    'htcp_port 0',
    'shutdown_lifetime 0 seconds',
    `dns_nameservers ${dnsServer}`,
    'hosts_file none',
    'acl SSL_ports port 443',
    'acl CONNECT method CONNECT',
    ...(credentials ? authLines(home, credentials) : []),
    ...(denied.length > 0 ? [`acl denied_registries dstdomain ${denied.join(' ')}`, 'http_access deny denied_registries'] : []),
    'acl registries dstdomain .azurecr.io',
    'http_access allow CONNECT SSL_ports registries',
    'http_access deny all',
    '',
  ].join('\n');
  const confPath = path.join(home, 'squid.conf');
  writeFileSync(confPath, conf);
  const child = spawn('squid', ['-N', '-f', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(PROXY_PORT, address, 20_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`squid did not start: ${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

function trackSockets(server: net.Server): Stoppable {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

async function listen(server: net.Server, address: string, port: number): Promise<Stoppable> {
  const stoppable = trackSockets(server);
  await new Promise<void>((resolve) => server.listen(port, address, resolve));
  return stoppable;
}

/** Reads the CONNECT request head, then hands the socket on. */
function onRequestHead(socket: net.Socket, then: (head: string) => void): void {
  let head = '';
  const onData = (chunk: Buffer): void => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n')) {
      socket.off('data', onData);
      then(head);
    }
  };
  socket.on('data', onData);
}

/** Accepts, reads the CONNECT, closes without a word: clients see `proxyconnect tcp: EOF`. */
export function startEofProxy(address: string): Promise<Stoppable> {
  return listen(net.createServer((socket) => onRequestHead(socket, () => socket.destroy())), address, PROXY_PORT);
}

/** Opens the tunnel, then terminates TLS itself with a certificate from its own (untrusted) CA. */
export function startInterceptingProxy(address: string, pair: KeyPair): Promise<Stoppable> {
  const inspector = https.createServer({ key: pair.key, cert: pair.cert }, (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('inspection gateway');
  });
  const server = net.createServer((socket) =>
    onRequestHead(socket, (head) => {
      if (!head.startsWith('CONNECT ')) {
        // Plain HTTP through the proxy (the managed identity endpoint, say): refused at once, as a real gateway would.
        return socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      }
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      inspector.emit('connection', socket);
    }),
  );
  return listen(server, address, PROXY_PORT);
}

/** Accepts connections and never says anything. */
export function startBlackHole(address: string, port = 443): Promise<Stoppable> {
  return listen(net.createServer(() => undefined), address, port);
}

/**
 * Completes the TLS handshake with a valid certificate for the registry, reads the request and
 * never answers it: a stalling middlebox or an overloaded endpoint (Docker: 'Client.Timeout
 * exceeded while awaiting headers').
 */
export function startStallingServer(address: string, pair: KeyPair, port = 443): Promise<Stoppable> {
  const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  });
  return listen(server, address, port);
}

/** A TLS server that answers for the registry's address with somebody else's certificate. */
export function startWrongCertificateServer(address: string, pair: KeyPair, port = 443): Promise<Stoppable> {
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('gateway');
  });
  return listen(server, address, port);
}
