/**
 * A Microsoft Entra authority for the lab, over HTTPS: the OpenID configuration and the v2.0 token
 * endpoint MSAL calls for a client-credentials flow, so @azure/identity runs unmodified.
 */
import https from 'node:https';
import { serve } from './serve.js';
import type { KeyPair } from './pki.js';

export const LAB_TENANT = '72f988bf-0000-4000-8000-00000000cafe';
export const LAB_AUTHORITY_HOST = 'login.lab.example';
/** Service principals the lab knows; only `allowed` holds a role on the lab's registries. */
export const LAB_PRINCIPALS = {
  allowed: { clientId: '11111111-2222-4333-8444-555555555555', secret: 'lab-secret-allowed' },
  rejected: { clientId: '99999999-8888-4777-8666-555555555555', secret: 'lab-secret-rejected' },
} as const;

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An access token shaped like Entra's (claims only; nobody in the lab checks its signature). */
export function labAccessToken(clientId: string, audience: string, issuer = `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}/v2.0`): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: audience, iss: issuer, tid: LAB_TENANT, appid: clientId, oid: clientId, iat: now, nbf: now, exp: now + 3600 };
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'lab' })}.${b64url(claims)}.bGFi`;
}

export function claimsOf(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

export async function startFakeEntra(address: string, pair: KeyPair, port = 443): Promise<{ close(): Promise<void> }> {
  const base = `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}`;
  const server = https.createServer({ key: pair.key, cert: pair.cert }, async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === `/${LAB_TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token id_token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      });
    }
    if (req.method === 'POST' && path === `/${LAB_TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(await readBody(req));
      const principal = Object.values(LAB_PRINCIPALS).find((p) => p.clientId === form.get('client_id') && p.secret === form.get('client_secret'));
      if (!principal) {
        return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      }
      const audience = (form.get('scope') ?? '').replace(/\/\.default$/, '');
      return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: labAccessToken(principal.clientId, audience) });
    }
    json(404, { error: 'not_found' });
  });
  return serve(server, address, port);
}
