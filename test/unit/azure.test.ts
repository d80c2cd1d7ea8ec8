import assert from 'node:assert/strict';
import { armFailure } from '../../src/engine/arm/arm-error.js';
import { loginFailuresQuery, logAnalyticsEndpoint } from '../../src/engine/arm/login-events.js';
import { parseResourceId } from '../../src/engine/arm/resource-id.js';
import { cloudFor, isKnownAuthority } from '../../src/engine/azure/cloud.js';
import { hasEnvironmentCredentials, tenantOf, tokenSource } from '../../src/engine/azure/credential.js';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { Agent } from 'undici';
import { azureEndpoints } from '../../src/engine/azure/access.js';
import { EndpointWatch } from '../../src/engine/azure/endpoint-watch.js';
import { EndpointUnreachableError, type AzureEndpoint } from '../../src/engine/azure/unreachable.js';
import { transportFailureOf, type TransportFailure } from '../../src/engine/net/errors.js';
import { timeoutError } from '../../src/engine/net/deadlines.js';
import { type Outcome } from '../../src/engine/probes/evidence.js';
import { probeExchange } from '../../src/engine/probes/exchange.js';
import { renderCheck } from '../../src/engine/report/render.js';
import { LANGS } from '../../src/engine/report/types.js';

function restError(statusCode: number, retryAfter?: string): Error {
  const err = new Error(`status ${statusCode}`) as Error & { statusCode: number; response: { headers: { get(n: string): string | undefined } } };
  err.name = 'RestError';
  err.statusCode = statusCode;
  err.response = { headers: { get: (n) => (n === 'retry-after' ? retryAfter : undefined) } };
  return err;
}

describe('Azure clouds, credentials and ARM failures', function () {
  it('finds the cloud from the login server suffix, and lets the environment override it', function () {
    assert.equal(cloudFor('azurecr.io', {}).armEndpoint, 'https://management.azure.com');
    assert.equal(cloudFor('azurecr.cn', {}).authorityHost, 'https://login.chinacloudapi.cn');
    assert.equal(cloudFor('azurecr.us', {}).armEndpoint, 'https://management.usgovcloudapi.net');
    const custom = cloudFor('azurecr.io', { ARM_ENDPOINT: 'https://management.stack.contoso/', AZURE_AUTHORITY_HOST: 'https://adfs.contoso/' });
    assert.deepEqual(custom, { name: 'Custom', armEndpoint: 'https://management.stack.contoso', authorityHost: 'https://adfs.contoso' });
    assert.ok(isKnownAuthority('https://login.microsoftonline.us'));
    assert.ok(!isKnownAuthority('https://adfs.contoso'), 'a private authority is used without instance discovery');
  });

  it('knows when the environment holds an identity, and reads the tenant of a token', function () {
    assert.ok(!hasEnvironmentCredentials({ AZURE_CLIENT_ID: 'a', AZURE_TENANT_ID: 't' }));
    assert.ok(hasEnvironmentCredentials({ AZURE_CLIENT_ID: 'a', AZURE_TENANT_ID: 't', AZURE_CLIENT_SECRET: 's' }));
    assert.ok(hasEnvironmentCredentials({ AZURE_CLIENT_ID: 'a', AZURE_TENANT_ID: 't', AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }));
    const token = `e30.${Buffer.from(JSON.stringify({ tid: 'tenant-1' })).toString('base64url')}.sig`;
    assert.equal(tenantOf(token), 'tenant-1');
    assert.equal(tenantOf('garbage'), undefined);
  });

  it('turns each ARM failure into its own outcome, and no identity into a skip', function () {
    const outcomes = [401, 403, 404, 500, 503].map((s) => armFailure(restError(s)).outcome);
    assert.deepEqual(outcomes, ['arm.unauthorized', 'arm.forbidden', 'arm.not-found', 'arm.server-error', 'arm.server-error']);
    const throttled = armFailure(restError(429, '12'));
    assert.equal(throttled.outcome, 'arm.throttled');
    assert.equal(throttled.data.retryAfter, 12);
    const none = new Error('no identity');
    none.name = 'CredentialUnavailableError';
    assert.deepEqual([armFailure(none).status, armFailure(none).outcome], ['skip', 'arm.no-credentials']);
    const timeout = new Error('deadline reached');
    timeout.name = 'TimeoutError';
    assert.equal(armFailure(timeout).outcome, 'arm.timeout');
    assert.ok([401, 403, 429].every((s) => armFailure(restError(s)).status === 'warn'), 'ARM failing is a warning, not the client problem');
  });

  it('queries login events only for a validated login server, at the cloud\'s Log Analytics', function () {
    assert.match(loginFailuresQuery('myregistry.azurecr.io'), /LoginServer =~ "myregistry\.azurecr\.io"/);
    assert.throws(() => loginFailuresQuery('x" or 1==1 //.azurecr.io'));
    assert.equal(logAnalyticsEndpoint(cloudFor('azurecr.cn', {}), {}), 'https://api.loganalytics.azure.cn');
    assert.equal(logAnalyticsEndpoint(cloudFor('azurecr.io', {}), { LOG_ANALYTICS_ENDPOINT: 'https://la.contoso/' }), 'https://la.contoso');
  });

  it('takes resource ids apart', function () {
    const id = parseResourceId('/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/myreg');
    assert.deepEqual(id, { subscriptionId: 's1', resourceGroup: 'rg', provider: 'Microsoft.Network', path: [['privateDnsZones', 'privatelink.azurecr.io'], ['A', 'myreg']] });
    assert.equal(parseResourceId('/subscriptions/s1'), undefined);
  });
});

describe('Azure endpoints not reached: the host and what happened', function () {
  const HOSTS: Record<AzureEndpoint, string> = { entra: 'login.microsoftonline.com', arm: 'management.azure.com', 'log-analytics': 'api.loganalytics.io', imds: '169.254.169.254' };
  const URLS: Record<AzureEndpoint, string> = {
    entra: 'https://login.microsoftonline.com/72f988bf-0000-4000-8000-00000000cafe/oauth2/v2.0/token',
    arm: 'https://management.azure.com/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry?api-version=2025-11-01',
    'log-analytics': 'https://api.loganalytics.io/v1/workspaces/w1/query',
    imds: 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01',
  };
  const endpointOf = (host: string): AzureEndpoint | undefined => (Object.entries(HOSTS) as [AzureEndpoint, string][]).find(([, h]) => h === host)?.[0];
  const request = (url: string): PipelineRequest => ({ url }) as PipelineRequest;
  /** What node's http client and core-rest-pipeline throw: a RestError with the socket's code and the request. */
  const socketError = (code: string, url: string): Error => Object.assign(new Error(`connect ${code}`), { name: 'RestError', code, request: { url } });
  /** How @azure/identity reports an authority or IMDS it could not reach: no host, no cause. */
  const credentialError = (endpoint: AzureEndpoint): Error =>
    Object.assign(new Error(endpoint === 'imds' ? 'ManagedIdentityCredential: Attempted to use the IMDS endpoint, but it is not available.' : 'endpoints_resolution_error: Endpoints cannot be resolved'), {
      name: 'CredentialUnavailableError',
    });
  const failing = (code: string): HttpClient => ({ sendRequest: (r) => Promise.reject(socketError(code, r.url)) });
  const silent: HttpClient = { sendRequest: () => new Promise<PipelineResponse>(() => undefined) };

  const FAILURES: [TransportFailure, string][] = [
    ['refused', 'ECONNREFUSED'],
    ['dns', 'ENOTFOUND'],
    ['dns', 'EAI_AGAIN'],
    ['tls', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['tls', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['tls', 'CERT_HAS_EXPIRED'],
    ['reset', 'ECONNRESET'],
    ['unreachable', 'EHOSTUNREACH'],
    ['timeout', 'ETIMEDOUT'],
  ];

  it('knows what each system code says the network did, and that a status is not one', function () {
    for (const [failure, code] of FAILURES) assert.equal(transportFailureOf(code), failure, code);
    for (const code of ['REQUEST_SEND_ERROR', 'AuthenticationError', 'ERR_INVALID_URL', undefined]) assert.equal(transportFailureOf(code), undefined, String(code));
  });

  for (const endpoint of ['entra', 'imds'] as const) {
    for (const [failure, code] of FAILURES.filter(([f]) => f !== 'timeout')) {
      it(`${endpoint} ${failure} (${code}): the ARM check and the exchange name ${HOSTS[endpoint]}`, async function () {
        const watch = new EndpointWatch(endpointOf, failing(code));
        await assert.rejects(watch.httpClient.sendRequest(request(URLS[endpoint])));
        const unreachable = watch.explain(credentialError(endpoint), 'arm');
        assert.deepEqual(unreachable && { endpoint: unreachable.endpoint, host: unreachable.host, failure: unreachable.failure, code: unreachable.code }, { endpoint, host: HOSTS[endpoint], failure, code });
        const outcome = armFailure(credentialError(endpoint), {}, unreachable);
        assert.equal(outcome.outcome, `arm.unreachable.${failure}`);
        assertNamesHost(outcome, HOSTS[endpoint]);
        assert.equal(watch.explain(credentialError(endpoint))?.host, HOSTS[endpoint], 'the token exchange asks without a service');
      });
    }
  }

  for (const endpoint of ['arm', 'log-analytics'] as const) {
    for (const [failure, code] of FAILURES.filter(([f]) => f !== 'timeout')) {
      it(`${endpoint} ${failure} (${code}): the check names ${HOSTS[endpoint]}`, async function () {
        const watch = new EndpointWatch(endpointOf, failing(code));
        const err = await watch.httpClient.sendRequest(request(URLS[endpoint])).catch((e: unknown) => e);
        const unreachable = watch.explain(err, endpoint);
        assert.equal(unreachable?.endpoint, endpoint);
        assert.equal(unreachable?.failure, failure);
        assertNamesHost(armFailure(err, {}, unreachable), HOSTS[endpoint]);
      });
    }
  }

  for (const endpoint of ['entra', 'imds', 'arm'] as const) {
    it(`${endpoint} silent until the deadline: "no answer from ${HOSTS[endpoint]} within N s"`, async function () {
      const watch = new EndpointWatch(endpointOf, silent);
      void watch.httpClient.sendRequest(request(URLS[endpoint]));
      await new Promise((resolve) => setTimeout(resolve, 120));
      const unreachable = watch.explain(timeoutError(), 'arm');
      assert.equal(unreachable?.failure, 'timeout');
      assert.equal(unreachable?.host, HOSTS[endpoint]);
      assert.ok((unreachable?.seconds ?? 0) >= 0.1, `waited ${unreachable?.seconds} s`);
      const outcome = armFailure(timeoutError(), {}, unreachable);
      assert.equal(outcome.outcome, 'arm.unreachable.timeout');
      for (const lang of LANGS) assert.match(renderCheck(lang, { ...outcome, id: 'arm.registry', kind: 'arm.registry', durationMs: 1 }).detail, /0\.1/);
    });
  }

  it('a sign-in endpoint that failed explains the deadline before a service that was still waiting for its token', async function () {
    let calls = 0;
    const inner: HttpClient = { sendRequest: (r) => (calls++ === 0 ? Promise.reject(socketError('ECONNREFUSED', r.url)) : new Promise<PipelineResponse>(() => undefined)) };
    const watch = new EndpointWatch(endpointOf, inner);
    await assert.rejects(watch.httpClient.sendRequest(request(URLS.entra)));
    void watch.httpClient.sendRequest(request(URLS.arm));
    assert.deepEqual([watch.explain(timeoutError(), 'arm')?.endpoint, watch.explain(timeoutError(), 'arm')?.failure], ['entra', 'refused']);
  });

  it('says nothing when the network is not why: a status, an identity refused, an unwatched host', async function () {
    const watch = new EndpointWatch(endpointOf, failing('ECONNREFUSED'));
    assert.equal(watch.explain(restError(403), 'arm'), undefined);
    assert.equal(watch.explain(Object.assign(new Error('AADSTS7000215'), { name: 'AuthenticationError' }), 'arm'), undefined);
    assert.equal(watch.explain(timeoutError(), 'arm'), undefined, 'nothing was pending');
    await assert.rejects(watch.httpClient.sendRequest(request('https://myregistry.azurecr.io/v2/')));
    assert.equal(watch.explain(credentialError('entra'), 'arm'), undefined, 'a host that is not an Azure endpoint of this run');
    assert.equal(armFailure(credentialError('entra')).outcome, 'arm.no-credentials', 'no identity at all is still a skip');
  });

  it('watches IMDS only where a managed identity is meant to answer', function () {
    const cloud = cloudFor('azurecr.io', {});
    assert.equal(azureEndpoints(cloud, {})('169.254.169.254'), undefined, 'a laptop has no IMDS, and that is normal');
    assert.equal(azureEndpoints(cloud, { AZURE_CLIENT_ID: 'mi-client-id' })('169.254.169.254'), 'imds');
    assert.equal(azureEndpoints(cloud, { AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' })('169.254.169.254'), 'imds');
    assert.equal(azureEndpoints(cloud, { AZURE_CLIENT_ID: 'a', AZURE_TENANT_ID: 't', AZURE_CLIENT_SECRET: 's' })('169.254.169.254'), undefined, 'a service principal signs in at Entra');
    const custom = { AZURE_AUTHORITY_HOST: 'https://login.contoso.example' };
    assert.equal(azureEndpoints(cloudFor('azurecr.io', custom), custom)('login.contoso.example'), 'entra');
    assert.equal(azureEndpoints(cloud, {})('management.azure.com'), 'arm');
  });

  it('the token source throws the endpoint not reached; the exchange reports it, host named', async function () {
    const watch = new EndpointWatch(endpointOf, failing('ECONNREFUSED'));
    const credential: TokenCredential = {
      getToken: async () => {
        await watch.httpClient.sendRequest(request(URLS.entra)).catch(() => undefined);
        throw credentialError('entra');
      },
    };
    const source = tokenSource(cloudFor('azurecr.io', {}), () => Promise.resolve(credential), {}, watch);
    const err = await source(new AbortController().signal).catch((e: unknown) => e);
    assert.ok(err instanceof EndpointUnreachableError);
    assert.equal(err.unreachable.host, 'login.microsoftonline.com');
    const dispatcher = new Agent();
    try {
      const outcome = await probeExchange('myregistry.azurecr.io', dispatcher, new AbortController().signal, source);
      assert.equal(outcome.outcome, 'exchange.unreachable.refused');
      assertNamesHost(outcome, 'login.microsoftonline.com', 'exchange');
    } finally {
      await dispatcher.close();
    }
  });

  it('the exchange says which host was still silent when its deadline fired', async function () {
    const watch = new EndpointWatch(endpointOf, silent);
    const credential: TokenCredential = { getToken: () => watch.httpClient.sendRequest(request(URLS.entra)).then(() => null) };
    const source = tokenSource(cloudFor('azurecr.io', {}), () => Promise.resolve(credential), {}, watch);
    const dispatcher = new Agent();
    try {
      const outcome = await probeExchange('myregistry.azurecr.io', dispatcher, AbortSignal.timeout(150), source);
      assert.equal(outcome.outcome, 'exchange.unreachable.timeout');
      assertNamesHost(outcome, 'login.microsoftonline.com', 'exchange');
    } finally {
      await dispatcher.close();
    }
  });
});

/** The check's detail names the host in every language, and no placeholder is left. */
function assertNamesHost(outcome: Outcome, host: string, kind = 'arm.registry'): void {
  for (const lang of LANGS) {
    const check = renderCheck(lang, { ...outcome, id: kind, kind, durationMs: 1 });
    assert.ok(check.detail.includes(host), `${lang}: ${check.detail}`);
    assert.doesNotMatch(check.detail, /\{\w+\}/, `${lang}: ${check.detail}`);
    assert.doesNotMatch(check.detail, /deadline/, `${lang}: ${check.detail}`);
  }
}
