/**
 * The instance metadata service's managed identity endpoint (http://169.254.169.254), as a VM or
 * an AKS node has it. Started only by the tests that give the client a managed identity.
 */
import http from 'node:http';
import { labAccessToken, LAB_PRINCIPALS, LAB_TENANT } from './fake-entra.js';
import { serve, type Served } from './serve.js';
import { json as answer } from './http-answers.js';

export const IMDS_ADDRESS = '169.254.169.254';
/** The managed identity's client id: the principal that holds a role on the lab's registries. */
export const MANAGED_IDENTITY_CLIENT_ID = LAB_PRINCIPALS.allowed.clientId;

export function startFakeImds(): Promise<Served & { tokens: () => number }> {
  let tokens = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${IMDS_ADDRESS}`);
    const json = (status: number, body: object): void => answer(res, status, body);
    if (url.pathname !== '/metadata/identity/oauth2/token') return json(404, { error: 'not_found' });
    // Without the Metadata header IMDS refuses: that is how clients probe for it.
    if (req.headers.metadata !== 'true') return json(400, { error: 'invalid_request', error_description: 'Required metadata header not specified' });
    const resource = url.searchParams.get('resource') ?? '';
    const now = Math.floor(Date.now() / 1000);
    tokens++;
    json(200, {
      // A managed identity's tokens are v1 tokens, issued by sts.windows.net, as Azure's are.
      access_token: labAccessToken(MANAGED_IDENTITY_CLIENT_ID, resource, `https://sts.windows.net/${LAB_TENANT}/`),
      client_id: MANAGED_IDENTITY_CLIENT_ID,
      expires_in: '3599',
      expires_on: String(now + 3599),
      ext_expires_in: '3599',
      not_before: String(now),
      resource,
      token_type: 'Bearer',
    });
  });
  return serve(server, IMDS_ADDRESS, 80).then((served) => ({ ...served, tokens: () => tokens }));
}
