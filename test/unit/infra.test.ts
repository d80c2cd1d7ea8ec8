/**
 * infra/main.json, the Azure deployment, checked offline: against the published ARM schemas
 * (test/fixtures/arm-schemas), against the settings src/ reads, and for the built-in role ids.
 * What only Azure can check (names free, quotas, the deployment itself) is said in infra/README.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readConfig } from '../../src/bot/config.js';
import { changedFixtures, loadArmSchemas, readJson, repoPath, type ArmSchemas, type JsonObject } from '../helpers/arm-schemas.js';
import { apiVersionProblems, appSettings, CLIENT_ID, obj, PRINCIPAL_ID, resourceOf, roleProblems, schemaProblems, settingProblems, settingsReadBySrc, ssoProblems } from '../helpers/infra-checks.js';

/** Values Azure would fill in, to start the bot's own configuration reader with these settings (no single sign-on: the defaults). */
const FILLED: Record<string, string> = {
  MicrosoftAppId: '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d91',
  AZURE_CLIENT_ID: '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d91',
  MicrosoftAppTenantId: '5d0c2f4e-8b1a-4c7e-9f3d-6a2b1e0c7d95',
  ALLOWED_TENANTS: '5d0c2f4e-8b1a-4c7e-9f3d-6a2b1e0c7d95',
  ARM_SCOPES: '[{"tenant": "5d0c2f4e-8b1a-4c7e-9f3d-6a2b1e0c7d95", "scopes": ["/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-acr"]}]',
  ARM_ACCESS: 'bot',
  SSO_CONNECTION_NAME: '',
  SSO_APP_ID: '',
  OAuthUrl: '',
  BOT_PUBLIC_URL: 'https://acr-doctor-4kq2mzl7x3p5e.azurewebsites.net',
  BOT_STORAGE_BLOB_URL: 'https://acrdoc4kq2mzl7x3p5e.blob.core.windows.net',
  BOT_STORAGE_CONTAINER: 'acr-doctor-state',
  TICKET_SINK: 'local',
  TICKET_WEBHOOK_URL: '',
  TICKET_WEBHOOK_SECRET: '',
};

let schemas: ArmSchemas;
const original = (): JsonObject => readJson('infra/main.json') as JsonObject;

const mutated = (change: (template: JsonObject) => void): JsonObject => {
  const template = original();
  change(template);
  return template;
};

describe('infra/main.json (the Azure deployment)', function () {
  // Compiling the published schemas takes seconds (the Web one is 450 kB); validating is then quick.
  this.timeout(60_000);
  before(function () {
    schemas = loadArmSchemas();
  });

  describe('against the published ARM schemas', function () {
    it('the vendored schemas are the published files, unchanged (git blob ids in sources.json)', function () {
      assert.deepEqual(changedFixtures(), []);
    });

    it('matches the deployment template schema, and each resource its type schema for its apiVersion, also closed to unknown properties', function () {
      assert.deepEqual(schemaProblems(schemas, original()), []);
    });

    it('uses API versions the schemas know, for resources and for reference() reads', function () {
      assert.deepEqual(apiVersionProblems(schemas, original()), []);
    });

    it('the parameters example matches the parameters schema and the template: known names, allowed values, every required one', function () {
      const example = readJson('infra/main.parameters.example.json') as JsonObject;
      assert.ok(schemas.parameters(example), schemas.describe(schemas.parameters.errors).join('\n'));
      const declared = obj(original().parameters, 'parameters');
      const given = obj(example.parameters, 'example parameters');
      for (const [name, entry] of Object.entries(given)) {
        const parameter = obj(declared[name], `parameter ${name}`);
        const allowed = parameter.allowedValues;
        if (Array.isArray(allowed)) assert.ok(allowed.includes(obj(entry, name).value ?? null), `${name}: not an allowed value`);
      }
      for (const [name, parameter] of Object.entries(declared)) if (!('defaultValue' in obj(parameter, name))) assert.ok(name in given, `${name} has no default and is missing`);
    });
  });

  describe('app settings', function () {
    it('sets only settings src/ reads, besides the platform settings named here', function () {
      assert.deepEqual(settingProblems(original(), settingsReadBySrc()), []);
    });

    it('filled in as Azure would, they make a configuration the bot accepts: managed identity, Entra Blob state, on all interfaces', function () {
      const settings = appSettings(original());
      const env = Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, String(value).startsWith('[') ? FILLED[name] : String(value)]));
      const unfilled = Object.keys(env).filter((name) => env[name] === undefined);
      assert.deepEqual(unfilled, [], 'an expression-valued setting needs a sample value in FILLED');
      const config = readConfig(env);
      assert.equal(config.appType, 'UserAssignedMSI');
      assert.equal(config.appId, FILLED.MicrosoftAppId);
      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.publicUrl, FILLED.BOT_PUBLIC_URL);
      assert.equal(config.storageContainer, 'acr-doctor-state');
      assert.equal(config.tickets.dataDir, '/home/data');
      assert.equal(config.armPolicy.mode, 'bot');
      assert.equal(config.sso, undefined);
      assert.match(JSON.stringify(config), /acrdoc4kq2mzl7x3p5e\.blob\.core\.windows\.net/);
    });

    it('with single sign-on in a regional bot, as Azure would fill them in: Azure read as the asker, the on-behalf-of exchange proved by the managed identity, the region\'s token service', function () {
      const settings = appSettings(original());
      const sso: Record<string, string> = { ARM_ACCESS: 'user', SSO_CONNECTION_NAME: 'acr-doctor-sso', SSO_APP_ID: '8c5f2d14-6a3b-4e7f-9d21-0b4c7a9e3f58', OAuthUrl: 'https://europe.token.botframework.com' };
      const env = Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, String(value).startsWith('[') ? (sso[name] ?? FILLED[name]) : String(value)]));
      const config = readConfig(env);
      assert.equal(config.armPolicy.mode, 'user');
      assert.deepEqual(config.sso, { connectionName: 'acr-doctor-sso', appId: sso.SSO_APP_ID, tenantId: FILLED.MicrosoftAppTenantId, managedIdentityClientId: FILLED.AZURE_CLIENT_ID });
      assert.equal(config.botFrameworkEndpoints.OAuthUrl, 'https://europe.token.botframework.com');
    });
  });

  describe('identity and roles', function () {
    it('names the published built-in role ids, by variable and in metadata, and no other GUID', function () {
      assert.deepEqual(roleProblems(original()), []);
    });

    it('one identity: the bot, the web app, ARM and Blob sign in as it; the bot calls the web app', function () {
      const template = original();
      const bot = obj(resourceOf(template, 'Microsoft.BotService/botServices').properties, 'bot');
      assert.equal(bot.msaAppType, 'UserAssignedMSI');
      assert.equal(bot.msaAppId, CLIENT_ID);
      assert.equal(bot.msaAppMSIResourceId, "[variables('identityId')]");
      assert.equal(bot.msaAppTenantId, '[tenant().tenantId]');
      const site = resourceOf(template, 'Microsoft.Web/sites');
      assert.deepEqual(Object.keys(obj(obj(site.identity, 'identity').userAssignedIdentities, 'identities')), ["[variables('identityId')]"]);
      assert.equal(obj(resourceOf(template, 'Microsoft.Authorization/roleAssignments').properties, 'assignment').principalId, PRINCIPAL_ID);
      assert.equal(bot.endpoint, obj(obj(template.outputs, 'outputs').messagingEndpoint, 'endpoint').value);
      assert.match(String(bot.endpoint), /^\[format\('https:\/\/\{0\}\/api\/messages', reference\(variables\('webAppId'\)/);
      const channel = resourceOf(template, 'Microsoft.BotService/botServices/channels');
      assert.deepEqual(channel.properties, { channelName: 'MsTeamsChannel', properties: { isEnabled: true } });
    });

    it('outputs: endpoint, app id, principal id, tenant, web app, and the grant commands with the right roles and scopes', function () {
      const outputs = obj(original().outputs, 'outputs');
      for (const name of ['messagingEndpoint', 'botAppId', 'identityPrincipalId', 'tenantId', 'webAppName', 'webAppHostName']) assert.ok(name in outputs, name);
      const command = (name: string): string => String(obj(outputs[name], name).value);
      for (const name of ['grantReaderOnRegistry', 'grantReaderOnPrivateEndpointsResourceGroup', 'grantReaderOnPrivateDnsZonesResourceGroup', 'grantReaderOnAksResourceGroup']) {
        assert.match(command(name), /variables\('grantPrefix'\), reference\(variables\('identityId'\), '[\d-]+'\)\.principalId, variables\('roleReader'\)\)\]$/, name);
      }
      assert.match(command('grantReaderOnRegistry'), /--scope "\$REGISTRY_ID"/);
      assert.match(command('grantReaderOnAksResourceGroup'), /--scope "\/subscriptions\/\$SUBSCRIPTION_ID\/resourceGroups\/\$AKS_RESOURCE_GROUP"/);
      assert.match(command('grantSupportRequestContributor'), /variables\('roleSupportRequestContributor'\)\)\]$/);
      assert.equal(obj(outputs.grantSupportRequestContributor, 'support').condition, "[equals(parameters('ticketSink'), 'azure')]");
      assert.equal(obj(original().variables, 'variables').grantPrefix, 'az role assignment create --assignee-principal-type ServicePrincipal --assignee-object-id');
    });
  });

  describe('Teams single sign-on (ssoAppClientId)', function () {
    it('the OAuth connection: Azure Active Directory v2 by its id, the app registration and its secret, its token exchange URL, a token for the app itself; the settings and outputs that go with it', function () {
      assert.deepEqual(ssoProblems(original()), []);
    });

    it('is made only with an app registration and a secret for it, so a redeployment never replaces a connection made by hand with federated credentials', function () {
      const connection = resourceOf(original(), 'Microsoft.BotService/botServices/connections');
      assert.match(String(connection.condition), /variables\('sso'\).*not\(empty\(parameters\('ssoAppClientSecret'\)\)\)/);
      assert.deepEqual(connection.dependsOn, ["[resourceId('Microsoft.BotService/botServices', parameters('botName'))]"]);
    });

    it('outputs the command that lets the managed identity prove the app registration in the on-behalf-of exchange (a federated credential), no secret', function () {
      const command = obj(obj(original().outputs, 'outputs').trustIdentityOnSsoApp, 'trustIdentityOnSsoApp');
      assert.equal(command.condition, "[variables('sso')]");
      const value = String(command.value);
      assert.match(value, /^\[format\('az ad app federated-credential create --id \{0\} --parameters ''\{\{"name": "\{1\}", "issuer": "\{2\}", "subject": "\{3\}", "audiences": \["api:\/\/AzureADTokenExchange"\]\}\}''', parameters\('ssoAppClientId'\)/);
      assert.ok(value.includes("format('https://login.microsoftonline.com/{0}/v2.0', tenant().tenantId)"), 'the issuer: this tenant');
      assert.ok(value.endsWith(`${PRINCIPAL_ID.slice(1, -1)})]`), 'the subject: the identity\'s principal id');
    });
  });

  describe('what the rest of the repository expects of it', function () {
    const source = (path: string): string => readFileSync(repoPath(path), 'utf8');

    it('starts the app as the app package says, and checks health where the server answers', function () {
      const siteConfig = obj(obj(resourceOf(original(), 'Microsoft.Web/sites').properties, 'site').siteConfig, 'siteConfig');
      assert.equal(siteConfig.appCommandLine, /START_COMMAND = '([^']+)'/.exec(source('src/bot/deploy/app-zip.ts'))?.[1]);
      assert.ok(source('src/bot/server.ts').includes(`server.get('${String(siteConfig.healthCheckPath)}'`), `${String(siteConfig.healthCheckPath)} is not served`);
    });

    it('has the outputs `npm run package` reads from a deployment', function () {
      const read = [...source('src/bot/teams/package-app.ts').matchAll(/value\('(\w+)'\)/g)].map((m) => m[1] ?? '');
      assert.ok(read.length > 0);
      for (const name of read) assert.ok(name in obj(original().outputs, 'outputs'), name);
    });
  });

  describe('the checks refuse a broken template', function () {
    it('a property the resource type does not name, or of the wrong type', function () {
      const typo = mutated((t) => (obj(obj(resourceOf(t, 'Microsoft.Web/sites').properties, 'site').siteConfig, 'siteConfig').alwaysOnn = true));
      assert.ok(schemaProblems(schemas, typo).some((p) => p.includes('(closed)') && p.includes('alwaysOnn')));
      const wrongType = mutated((t) => (obj(resourceOf(t, 'Microsoft.Web/sites').properties, 'site').httpsOnly = 'yes'));
      assert.ok(schemaProblems(schemas, wrongType).some((p) => p.includes('(published)') && p.includes('/properties/httpsOnly')));
      const unknownKey = mutated((t) => (t.resourceGroup = 'rg'));
      assert.ok(schemaProblems(schemas, unknownKey).some((p) => p.startsWith('deploymentTemplate.json') && p.includes('resourceGroup')));
    });

    it('what only the deployment template schema refuses: tags as an expression, though the resource type allows it', function () {
      const tagged = mutated((t) => (resourceOf(t, 'Microsoft.ManagedIdentity/userAssignedIdentities').tags = "[parameters('tags')]"));
      assert.deepEqual(schemaProblems(schemas, tagged), ['deploymentTemplate.json: /resources/0/tags must be object {"type":"object"}']);
    });

    it('an apiVersion the schemas do not know', function () {
      const future = mutated((t) => (resourceOf(t, 'Microsoft.Web/sites').apiVersion = '2099-01-01'));
      assert.ok(apiVersionProblems(schemas, future).some((p) => p.startsWith('Microsoft.Web/sites@2099-01-01')));
      assert.ok(schemaProblems(schemas, future).some((p) => p.includes('no schema')));
    });

    it('a token service that is not the bot location\'s', function () {
      const wrong = mutated((t) => (obj(obj(t.variables, 'variables').tokenServiceHosts, 'hosts').westeurope = 'token.botframework.com'));
      assert.ok(ssoProblems(wrong).some((p) => p.startsWith('variables.tokenServiceHosts')));
    });

    it('a connection of another service provider, one whose token is ARM\'s (the bot could not exchange it on behalf of the user), or one made without a secret', function () {
      const other = mutated((t) => (obj(t.variables, 'variables').serviceProviderAadV2 = '5b9a3d2e-4c1f-4e8a-b7d6-0f2e9c8a1b34'));
      assert.ok(ssoProblems(other).some((p) => p.startsWith('variables.serviceProviderAadV2')));
      assert.ok(roleProblems(other).some((p) => p.startsWith('5b9a3d2e-4c1f-4e8a-b7d6-0f2e9c8a1b34 is not one of')));
      const armToken = mutated((t) => (obj(t.variables, 'variables').ssoScopes = 'https://management.azure.com/user_impersonation openid profile offline_access'));
      assert.ok(ssoProblems(armToken).some((p) => p.startsWith('variables.ssoScopes')));
      const noSecret = mutated((t) => (resourceOf(t, 'Microsoft.BotService/botServices/connections').condition = "[variables('sso')]"));
      assert.ok(ssoProblems(noSecret).some((p) => p.startsWith("the connection's condition")));
    });

    it('a wrong role id', function () {
      const wrong = mutated((t) => (obj(t.variables, 'variables').roleReader = 'b24988ac-6180-42a0-ab88-20f7382dd24c'));
      assert.ok(roleProblems(wrong).some((p) => p.startsWith('variables.roleReader')));
    });

    it('a setting src/ does not read, a needed one missing, a forbidden one', function () {
      const template = mutated((t) => {
        const settings = appSettings(t);
        settings.WEBSITES_PORT = '3978';
        settings.SSO_CLIENT_SECRET = "[parameters('ssoAppClientSecret')]";
        delete settings.AZURE_CLIENT_ID;
      });
      const problems = settingProblems(template, settingsReadBySrc());
      assert.ok(problems.includes('WEBSITES_PORT is set, and nothing in src/ reads it'));
      assert.ok(problems.includes('AZURE_CLIENT_ID is not set'));
      assert.ok(problems.includes('WEBSITES_PORT must not be set in Azure'));
      assert.ok(problems.includes('SSO_CLIENT_SECRET must not be set in Azure'));
    });
  });
});
