import assert from 'node:assert/strict';
import { readConfig } from '../../src/bot/config.js';

const SUB_A = '5e1f0000-aaaa-4bbb-8ccc-444455556666';
const SUB_B = '6e2f0000-bbbb-4ccc-8ddd-555566667777';

describe('the bot configuration', function () {
  it('defaults: diagnoses capped, escalations up to critical, five per user an hour, no subscription to file in', function () {
    const config = readConfig({});
    assert.deepEqual(config.diagnoses, { running: 64, waiting: 256, perConversation: 3 });
    assert.equal(config.tickets.maxSeverity, 'critical');
    assert.equal(config.tickets.escalationsPerHour, 5);
    assert.deepEqual(config.tickets.supportSubscriptionIds, []);
  });

  it('takes the subscriptions tickets may be filed in, the default first, once each', function () {
    const config = readConfig({ SUPPORT_SUBSCRIPTION_ID: SUB_A.toUpperCase(), SUPPORT_SUBSCRIPTION_IDS: ` ${SUB_B}, ${SUB_A} ,` });
    assert.deepEqual(config.tickets.supportSubscriptionIds, [SUB_A, SUB_B]);
  });

  it('a bot registration is single-tenant or a managed identity unless told otherwise; a managed identity has no password', function () {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const app = { MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', ALLOWED_TENANTS: tenant, MicrosoftAppTenantId: tenant };
    assert.equal(readConfig({ ...app, MicrosoftAppPassword: 's' }).appType, 'SingleTenant');
    assert.equal(readConfig({ ...app, MicrosoftAppType: 'userassignedmsi' }).appType, 'UserAssignedMSI');
    assert.throws(() => readConfig({ ...app, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppPassword: 's' }), /takes no MicrosoftAppPassword/);
    assert.throws(() => readConfig({ ...app, MicrosoftAppTenantId: '', MicrosoftAppType: 'UserAssignedMSI' }), /needs MicrosoftAppTenantId/);
    assert.throws(() => readConfig({ ...app }), /SingleTenant needs MicrosoftAppPassword/);
    assert.throws(() => readConfig({ ...app, MicrosoftAppType: 'Federated' }), /must be one of SingleTenant, UserAssignedMSI, MultiTenant/);
  });

  it('the public address: BOT_PUBLIC_URL, else App Service\'s host name; an authenticated bot never shows a loopback one', function () {
    const msi = { MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't', ALLOWED_TENANTS: 't' };
    assert.equal(readConfig({}).publicUrl, 'http://127.0.0.1:3978');
    assert.equal(readConfig({ ...msi, BOT_PUBLIC_URL: 'https://acr-doctor.contoso.example/' }).publicUrl, 'https://acr-doctor.contoso.example');
    assert.equal(readConfig({ ...msi, WEBSITE_HOSTNAME: 'acr-doctor-x1.azurewebsites.net' }).publicUrl, 'https://acr-doctor-x1.azurewebsites.net');
    assert.equal(readConfig({ ...msi }).publicUrl, '');
    assert.equal(readConfig({ ...msi, BOT_PUBLIC_URL: 'http://127.0.0.1:3978' }).publicUrl, '');
    assert.equal(readConfig({ ...msi, BOT_PUBLIC_URL: 'http://[::1]:3978' }).publicUrl, '');
    // acr-check --send would refuse it: the commands on the cards would fail.
    assert.throws(() => readConfig({ ...msi, BOT_PUBLIC_URL: 'http://acr-doctor.contoso.example' }), /BOT_PUBLIC_URL must be an https:\/\/ address/);
    assert.throws(() => readConfig({ BOT_PUBLIC_URL: 'not a url' }), /BOT_PUBLIC_URL must be an https:\/\/ address/);
  });

  it('a diagnosis budget that is not a positive number stops the start with the reason', function () {
    assert.throws(() => readConfig({ DIAGNOSIS_BUDGET_MS: 'eight seconds' }), /DIAGNOSIS_BUDGET_MS must be a positive number/);
    assert.equal(readConfig({ DIAGNOSIS_BUDGET_MS: '6000' }).budgetMs, 6000);
  });

  it('Blob state with the bot\'s identity: an https blob endpoint, without a key or SAS, and not beside a connection string', function () {
    assert.equal(readConfig({ BOT_STORAGE_BLOB_URL: 'https://acrdoctorstate.blob.core.windows.net/' }).storageBlobUrl, 'https://acrdoctorstate.blob.core.windows.net');
    assert.throws(() => readConfig({ BOT_STORAGE_BLOB_URL: 'https://a.blob.core.windows.net/?sv=2024&sig=x' }), /no SAS/);
    assert.throws(() => readConfig({ BOT_STORAGE_BLOB_URL: 'http://a.blob.core.windows.net' }), /must be https/);
    assert.throws(() => readConfig({ BOT_STORAGE_BLOB_URL: 'https://a.blob.core.windows.net', BOT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }), /not both/);
  });

  for (const [env, reason] of [
    [{ TICKET_MAX_SEVERITY: 'urgent' }, /TICKET_MAX_SEVERITY must be one of minimal, moderate, critical, highestcriticalimpact/],
    [{ SUPPORT_SUBSCRIPTION_IDS: `${SUB_A},my-sub` }, /subscription ids \(GUIDs\), not "my-sub"/],
    [{ ESCALATIONS_PER_USER_PER_HOUR: '0' }, /ESCALATIONS_PER_USER_PER_HOUR must be a whole number/],
    [{ MAX_DIAGNOSES: '2.5' }, /MAX_DIAGNOSES must be a whole number from 1/],
    [{ MAX_DIAGNOSES_PER_CONVERSATION: '0' }, /MAX_DIAGNOSES_PER_CONVERSATION must be a whole number from 1/],
    [{ MAX_QUEUED_DIAGNOSES: '-1' }, /MAX_QUEUED_DIAGNOSES must be a whole number from 0/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with the reason`, function () {
      assert.throws(() => readConfig(env), reason);
    });
  }
});

describe('Bot Framework endpoints', function () {
  it('passes the SDK\'s endpoint settings through by their own names, https only', function () {
    assert.deepEqual(readConfig({ ChannelService: 'https://botframework.azure.us', OAuthUrl: 'https://api.botframework.azure.us' }).botFrameworkEndpoints, {
      OAuthUrl: 'https://api.botframework.azure.us',
      ChannelService: 'https://botframework.azure.us',
      // Given any endpoint, the SDK takes only what it is given: the Emulator's stays the public one.
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    });
    assert.deepEqual(readConfig({}).botFrameworkEndpoints, {});
    assert.throws(() => readConfig({ ToBotFromChannelOpenIdMetadataUrl: 'http://evil.example/openid' }), /ToBotFromChannelOpenIdMetadataUrl must be an https:\/\/ address/);
  });
});
