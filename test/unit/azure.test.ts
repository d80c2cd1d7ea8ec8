import assert from 'node:assert/strict';
import { armFailure } from '../../src/arm/arm-error.js';
import { loginFailuresQuery, logAnalyticsEndpoint } from '../../src/arm/login-events.js';
import { parseResourceId } from '../../src/arm/resource-id.js';
import { cloudFor, isKnownAuthority } from '../../src/azure/cloud.js';
import { hasEnvironmentCredentials, tenantOf } from '../../src/azure/credential.js';

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
