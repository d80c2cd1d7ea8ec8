/**
 * A Microsoft Entra authority for the lab, over HTTPS: the OpenID configuration and the v2.0 token
 * endpoint MSAL calls, so @azure/identity runs unmodified. Two grants:
 * - client credentials, for the lab's service principals (LAB_PRINCIPALS);
 * - on-behalf-of (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer, requested_token_use
 *   on_behalf_of), for the bot's SSO app: the user's token (a Teams SSO token for the app) becomes
 *   that user's ARM token (scp user_impersonation). The app proves itself with its secret or with a
 *   client assertion its federated credential trusts (the bot's managed identity's token for
 *   api://AzureADTokenExchange). Refusals carry Entra's codes: AADSTS500133 (expired assertion),
 *   AADSTS65001 + suberror consent_required, AADSTS50013 (assertion for another app), 401
 *   invalid_client (AADSTS7000215 wrong secret, AADSTS700213 no matching federated credential).
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { serve } from './serve.js';
import type { KeyPair } from './pki.js';
import {
  claimsOf,
  labAccessToken,
  labJwt,
  LAB_AUTHORITY_HOST,
  LAB_ISSUER_V2,
  LAB_PRINCIPALS,
  LAB_SSO_APP,
  LAB_TENANT,
  userAccessToken,
  userByOid,
  type LabApp,
  type LabUser,
} from './lab-tenant.js';
import { json as answer, readBody } from './http-answers.js';

export { claimsOf, labAccessToken, LAB_AUTHORITY_HOST, LAB_PRINCIPALS, LAB_TENANT } from './lab-tenant.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const JWT_BEARER_CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** ARM as Entra knows it: the audiences its tokens may carry (the lab's ARM host, and Azure's names for ARM). */
export const ARM_RESOURCES = ['https://management.lab.example', 'https://management.azure.com', 'https://management.core.windows.net'];
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export interface OboCall {
  clientId: string;
  /** How the app proved itself. */
  client: 'secret' | 'assertion' | 'none';
  /** The user the assertion named (its oid), when it named one. */
  oid?: string;
  scope: string;
  status: number;
  error?: string;
}

export interface FakeEntraOptions {
  /** Confidential apps that may use the on-behalf-of grant; default the bot's SSO app. */
  apps?: LabApp[];
}

export interface RunningEntra {
  /** Every on-behalf-of request, in order. */
  obo: OboCall[];
  /** Consent by user oid, over LAB_USERS' `consented` (grant or revoke it during a test). */
  consent: Map<string, boolean>;
  close(): Promise<void>;
}

interface Refusal {
  status: number;
  body: Record<string, unknown>;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** An error as Entra's token endpoint writes it: AADSTS code first, trace and correlation ids after. */
function refusal(status: number, error: string, code: number, description: string, extra: Record<string, unknown> = {}): Refusal {
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://${LAB_AUTHORITY_HOST}/error?code=${code}`,
      ...extra,
    },
  };
}

/** The app's proof of itself: its secret, or a client assertion its federated credential matches. */
function authenticateClient(app: LabApp, form: URLSearchParams): Refusal | 'secret' | 'assertion' {
  const secret = form.get('client_secret');
  if (secret !== null) {
    if (app.secret !== undefined && secret === app.secret) return 'secret';
    return refusal(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
  }
  const assertion = form.get('client_assertion');
  if (form.get('client_assertion_type') === JWT_BEARER_CLIENT_ASSERTION && assertion) {
    const claims = claimsOf(assertion);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) {
      return refusal(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${iso(Number(claims.nbf ?? 0))}, expiry time of assertion ${iso(Number(claims.exp ?? 0))}.`);
    }
    const subject = claims.sub ?? claims.oid;
    const matches = app.federated.some((f) => f.issuers.includes(String(claims.iss)) && f.subject === subject && f.audience === claims.aud);
    if (matches) return 'assertion';
    return refusal(401, 'invalid_client', 700213, `No matching federated identity record found for presented assertion subject '${String(subject)}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`);
  }
  return refusal(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
}

interface OboContext {
  apps: LabApp[];
  consent: Map<string, boolean>;
}

/** The on-behalf-of grant: the user of `assertion`, for the one resource `scope` names. */
function onBehalfOf(form: URLSearchParams, context: OboContext, call: OboCall): { status: number; body: Record<string, unknown> } {
  const app = context.apps.find((a) => a.clientId === form.get('client_id'));
  if (!app) {
    return refusal(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${LAB_TENANT}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }
  const client = authenticateClient(app, form);
  if (typeof client !== 'string') return client;
  call.client = client;
  const assertion = form.get('assertion');
  if (!assertion) return refusal(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'assertion'.");
  const claims = claimsOf(assertion);
  if (typeof claims.oid === 'string') call.oid = claims.oid;
  if (claims.aud !== app.clientId && claims.aud !== app.identifierUri) {
    return refusal(400, 'invalid_grant', 50013, `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${String(claims.aud)}' and the expected audience is '${app.clientId}' or one of the Application Uris of this application with App ID '${app.clientId}'(${app.displayName}).`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    return refusal(400, 'invalid_grant', 500133, `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${iso(now)}, expiry time of assertion ${iso(Number(claims.exp ?? 0))}.`);
  }
  const user: LabUser | undefined = claims.tid === LAB_TENANT ? userByOid(claims.oid) : undefined;
  if (!user) return refusal(400, 'invalid_grant', 50034, `The user account ${String(claims.oid)} does not exist in the ${LAB_TENANT} directory. To sign into this application, the account must be added to the directory.`);
  const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  const resources = requested.filter((s) => !OIDC_SCOPES.has(s));
  const resource = resources[0]?.replace(/\/(\.default|user_impersonation)$/, '').replace(/\/$/, '');
  if (resources.length !== 1 || !resource || !ARM_RESOURCES.includes(resource)) {
    return refusal(400, 'invalid_resource', 500011, `The resource principal named ${resources.join(' ')} was not found in the tenant named ${LAB_TENANT}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
  }
  if (!(context.consent.get(user.oid) ?? user.consented)) {
    return refusal(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`, { suberror: 'consent_required' });
  }
  const iat = Math.floor(Date.now() / 1000);
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: `${resource}/user_impersonation`,
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: userAccessToken(user, app.clientId, resource, 'user_impersonation'),
    client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: LAB_TENANT })).toString('base64url'),
  };
  if (requested.includes('offline_access')) body.refresh_token = `lab-refresh-${randomUUID()}`;
  if (requested.includes('openid')) {
    body.id_token = labJwt({ aud: app.clientId, iss: LAB_ISSUER_V2, iat, nbf: iat, exp: iat + 3600, name: user.name, oid: user.oid, preferred_username: user.upn, sub: `lab-sub-${user.oid}`, tid: LAB_TENANT, ver: '2.0' });
  }
  return { status: 200, body };
}

export async function startFakeEntra(address: string, pair: KeyPair, port = 443, options: FakeEntraOptions = {}): Promise<RunningEntra> {
  const base = `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}`;
  const context: OboContext = { apps: options.apps ?? [LAB_SSO_APP], consent: new Map() };
  const obo: OboCall[] = [];
  const server = https.createServer({ key: pair.key, cert: pair.cert }, async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const json = (status: number, body: object): void => answer(res, status, body, { 'cache-control': 'no-store, no-cache' });
    if (req.method === 'GET' && path === `/${LAB_TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
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
      if (form.get('grant_type') === JWT_BEARER_GRANT && form.get('requested_token_use') === 'on_behalf_of') {
        const call: OboCall = { clientId: form.get('client_id') ?? '', client: 'none', scope: form.get('scope') ?? '', status: 0 };
        const answer = onBehalfOf(form, context, call);
        call.status = answer.status;
        if (typeof answer.body.error === 'string') call.error = answer.body.error;
        obo.push(call);
        return json(answer.status, answer.body);
      }
      const principal = Object.values(LAB_PRINCIPALS).find((p) => p.clientId === form.get('client_id') && p.secret === form.get('client_secret'));
      if (!principal) {
        return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
      }
      const audience = (form.get('scope') ?? '').replace(/\/\.default$/, '');
      return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: labAccessToken(principal.clientId, audience) });
    }
    json(404, { error: 'not_found' });
  });
  return { obo, consent: context.consent, ...(await serve(server, address, port)) };
}
