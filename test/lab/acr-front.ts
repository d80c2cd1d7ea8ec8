/**
 * The ACR front: where ACR's behaviour is its own (the DENIED body naming the client IP, the
 * token endpoint, 429 with Retry-After, data endpoints answering anonymous GET / with 403),
 * and a reverse proxy to the real OCI registry for everything else.
 */
import http from 'node:http';
import https from 'node:https';
import { serve } from './serve.js';
import { randomUUID } from 'node:crypto';
import { CLIENT_EGRESS_IP } from './addresses.js';
import { claimsOf, LAB_PRINCIPALS } from './fake-entra.js';
import type { OciRegistry } from './oci-registry.js';
import type { KeyPair } from './pki.js';
import { json, readBody } from './http-answers.js';

export type RegistryBehaviour = 'healthy' | 'denied' | 'throttled-token' | 'forbidden-plain';

export const LAB_USER = { name: 'labuser', password: 'lab-password' };
export const RETRY_AFTER_SECONDS = 17;

export interface FrontConfig {
  registries: Record<string, RegistryBehaviour>;
  dataEndpoints: string[];
  backend: OciRegistry;
}

export interface RunningFront {
  requests: { host: string; method: string; path: string }[];
  close(): Promise<void>;
}


export function deniedBody(): unknown {
  return {
    errors: [
      {
        code: 'DENIED',
        message: `client with IP '${CLIENT_EGRESS_IP}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access. CorrelationId: ${randomUUID()}`,
      },
    ],
  };
}

function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const [name, password] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return name === LAB_USER.name && password === LAB_USER.password ? name : undefined;
}

function token(req: http.IncomingMessage, res: http.ServerResponse, host: string, config: FrontConfig): void {
  const url = new URL(req.url ?? '/', `https://${host}`);
  const user = basicUser(req.headers.authorization);
  if (!user) {
    return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required, visit https://aka.ms/acr/authorization for more information.' }] });
  }
  json(res, 200, { access_token: config.backend.signToken(user, url.searchParams.getAll('scope')) });
}

/** `POST /oauth2/exchange`: an Entra token in, a refresh token out, for identities with a role. */
function exchange(req: http.IncomingMessage, res: http.ServerResponse, host: string): void {
  void readBody(req).then((body) => {
    const form = new URLSearchParams(body);
    const claims = claimsOf(form.get('access_token') ?? '');
    if (form.get('grant_type') !== 'access_token' || form.get('service') !== host || claims.appid !== LAB_PRINCIPALS.allowed.clientId) {
      return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required, visit https://aka.ms/acr/authorization for more information.' }] });
    }
    json(res, 200, { refresh_token: `lab-refresh-${randomUUID()}` });
  });
}

function forward(req: http.IncomingMessage, res: http.ServerResponse, host: string, backend: OciRegistry): void {
  const target = new URL(req.url ?? '/', backend.url);
  const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    const headers = { ...answer.headers };
    if (headers['www-authenticate']) headers['www-authenticate'] = `Bearer realm="https://${host}/oauth2/token",service="${host}"`;
    if (typeof headers.location === 'string') headers.location = headers.location.replace(backend.url, `https://${host}`);
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
  });
  upstream.on('error', () => json(res, 502, { errors: [{ code: 'UNAVAILABLE', message: 'backend unavailable' }] }));
  req.pipe(upstream);
}

export async function startAcrFront(address: string, pair: KeyPair, config: FrontConfig, port = 443): Promise<RunningFront> {
  const requests: RunningFront['requests'] = [];
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ host, method: req.method ?? 'GET', path });
    if (config.dataEndpoints.includes(host)) {
      return json(res, 403, { errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] });
    }
    const behaviour = config.registries[host];
    if (!behaviour) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: `registry ${host} not found` }] });
    if (behaviour === 'denied') return json(res, 403, deniedBody());
    if (behaviour === 'forbidden-plain') {
      res.writeHead(403, { 'content-type': 'text/html' });
      return res.end('<html><body>Access to this site is blocked by your organisation.</body></html>');
    }
    if (path === '/oauth2/token') {
      if (behaviour === 'throttled-token') {
        return json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }] }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
      return token(req, res, host, config);
    }
    if (path === '/oauth2/exchange' && req.method === 'POST') return exchange(req, res, host);
    if (path.startsWith('/v2/')) return forward(req, res, host, config.backend);
    json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
  });
  return { requests, ...(await serve(server, address, port)) };
}

