/**
 * infra/main.json, the Azure deployment, checked offline: against the published ARM schemas
 * (test/fixtures/arm-schemas), against the settings src/ reads, and for the built-in role ids.
 * What only Azure can check (names free, quotas, the deployment itself) is said in infra/README.md.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readConfig } from '../../src/config.js';
import { changedFixtures, isObject, loadArmSchemas, readJson, repoPath, withoutArmKeys, type ArmSchemas, type Json, type JsonObject } from '../helpers/arm-schemas.js';

/** The published built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
const BUILT_IN_ROLES = {
  roleReader: { name: 'Reader', id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' },
  roleStorageBlobDataContributor: { name: 'Storage Blob Data Contributor', id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' },
  roleSupportRequestContributor: { name: 'Support Request Contributor', id: 'cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e' },
};

/** Settings for App Service itself, not the bot: set on purpose, read by no code of ours. */
const PLATFORM_SETTINGS: Record<string, string> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false: the zip package carries its node_modules, nothing to build on deploy',
};

const CLIENT_ID = "[reference(variables('identityId'), '2023-01-31').clientId]";
const PRINCIPAL_ID = "[reference(variables('identityId'), '2023-01-31').principalId]";

/** What the bot must be given in Azure: literal values, or the expression that fills them in. */
const NEEDED: Record<string, string | RegExp> = {
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppId: CLIENT_ID,
  MicrosoftAppTenantId: '[tenant().tenantId]',
  AZURE_CLIENT_ID: CLIENT_ID,
  ALLOWED_TENANTS: "[parameters('allowedTenants')]",
  HOST: '0.0.0.0',
  BOT_PUBLIC_URL: /^\[format\('https:\/\/\{0\}', reference\(variables\('webAppId'\), '[\d-]+'\)\.defaultHostName\)\]$/,
  BOT_STORAGE_BLOB_URL: /reference\(variables\('storageAccountId'\), '[\d-]+'\)\.primaryEndpoints\.blob/,
  BOT_STORAGE_CONTAINER: "[parameters('stateContainerName')]",
  DATA_DIR: '/home/data',
  LOG_LEVEL: 'info',
  TICKET_SINK: "[parameters('ticketSink')]",
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
};

/** Never in Azure: a secret the identity replaces, a key storage refuses, or what App Service sets itself. */
const NEVER = ['MicrosoftAppPassword', 'AZURE_CLIENT_SECRET', 'BOT_STORAGE_CONNECTION_STRING', 'PORT', 'WEBSITES_PORT'];

/** Values Azure would fill in, to start the bot's own configuration reader with these settings. */
const FILLED: Record<string, string> = {
  MicrosoftAppId: '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d91',
  AZURE_CLIENT_ID: '3f1c9a52-7d4e-4b8a-9c61-2e5f0a7b8d91',
  MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  ALLOWED_TENANTS: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  BOT_PUBLIC_URL: 'https://acr-doctor-4kq2mzl7x3p5e.azurewebsites.net',
  BOT_STORAGE_BLOB_URL: 'https://acrdoc4kq2mzl7x3p5e.blob.core.windows.net',
  BOT_STORAGE_CONTAINER: 'acr-doctor-state',
  TICKET_SINK: 'local',
  TICKET_WEBHOOK_URL: '',
  TICKET_WEBHOOK_SECRET: '',
};

let schemas: ArmSchemas;
const original = (): JsonObject => readJson('infra/main.json') as JsonObject;

const obj = (value: Json | undefined, what: string): JsonObject => {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
};
const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Every resource with its full type, child resources included. */
function allResources(template: JsonObject): { resource: JsonObject; type: string }[] {
  const walk = (resources: JsonObject[], parent: string): { resource: JsonObject; type: string }[] =>
    resources.flatMap((resource) => {
      const type = parent ? `${parent}/${String(resource.type)}` : String(resource.type);
      return [{ resource, type }, ...walk(list(resource.resources), type)];
    });
  return walk(list(template.resources), '');
}

const resourceOf = (template: JsonObject, type: string): JsonObject => {
  const found = allResources(template).find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found.resource;
};
const appSettings = (template: JsonObject): JsonObject => obj(resourceOf(template, 'Microsoft.Web/sites/config').properties, 'app settings');

function schemaProblems(template: JsonObject): string[] {
  const problems: string[] = [];
  const refused = new Set<number>();
  list(template.resources).forEach((resource, index) => {
    const definition = schemas.definitions.find((d) => d.type === resource.type && d.apiVersion === resource.apiVersion);
    if (!definition) {
      refused.add(index);
      problems.push(`${String(resource.type)}@${String(resource.apiVersion)}: no schema`);
      return;
    }
    for (const [kind, validate] of [['published', schemas.published(definition.ref)], ['closed', schemas.closed(definition.ref)]] as const) {
      if (validate(kind === 'closed' ? withoutArmKeys(resource) : resource)) continue;
      refused.add(index);
      problems.push(...schemas.describe(validate.errors).map((e) => `${definition.type}@${definition.apiVersion} (${kind}): ${e}`));
    }
  });
  if (!schemas.template(template)) {
    // A resource its own schema refused is told above; the template schema's oneOf over every type would only repeat it, louder.
    const elsewhere = schemas.describe(schemas.template.errors).filter((e) => ![...refused].some((index) => e.startsWith(`/resources/${index} `) || e.startsWith(`/resources/${index}/`)));
    problems.push(...(elsewhere.length || !refused.size ? elsewhere : ['refused']).map((e) => `deploymentTemplate.json: ${e}`));
  }
  return problems;
}

/** Every API version in use, a resource's own or one a reference() reads with, exists for that type. */
function apiVersionProblems(template: JsonObject): string[] {
  const known = (type: string, apiVersion: string): boolean => schemas.definitions.some((d) => d.type === type && d.apiVersion === apiVersion);
  const problems = allResources(template)
    .filter(({ resource, type }) => !known(type, String(resource.apiVersion)))
    .map(({ resource, type }) => `${type}@${String(resource.apiVersion)} is not in the vendored schemas`);
  const variables = obj(template.variables, 'variables');
  for (const [, variable, apiVersion = ''] of JSON.stringify(template).matchAll(/reference\(variables\('(\w+)'\), '([^']+)'\)/g)) {
    const type = /^\[resourceId\('([^']+)'/.exec(String(variables[variable ?? '']))?.[1] ?? `(variable ${variable ?? ''})`;
    if (!known(type, apiVersion)) problems.push(`reference() reads ${type}@${apiVersion}, which is not in the vendored schemas`);
  }
  return problems;
}

/** The environment variable names src/ reads: env.NAME, env['NAME'], and helpers called as (env, 'NAME'). */
function settingsReadBySrc(): Set<string> {
  const names = new Set<string>();
  const files = readdirSync(repoPath('src/'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const code = readFileSync(repoPath(`src/${file}`), 'utf8');
    for (const pattern of [/\benv\.([A-Za-z_]\w*)/g, /\benv\[\s*(?:'|")([A-Za-z_]\w*)(?:'|")\s*\]/g, /\(env,\s*'([A-Za-z_]\w*)'/g]) {
      for (const match of code.matchAll(pattern)) if (match[1]) names.add(match[1]);
    }
  }
  return names;
}

function settingProblems(template: JsonObject, read: Set<string>): string[] {
  const settings = appSettings(template);
  const problems: string[] = [];
  for (const name of Object.keys(settings)) if (!read.has(name) && !(name in PLATFORM_SETTINGS)) problems.push(`${name} is set, and nothing in src/ reads it`);
  for (const [name, expected] of Object.entries(NEEDED)) {
    const value = settings[name];
    if (value === undefined) problems.push(`${name} is not set`);
    else if (typeof expected === 'string' ? value !== expected : !expected.test(String(value))) problems.push(`${name} is ${JSON.stringify(value)}, not ${String(expected)}`);
  }
  for (const name of NEVER) if (name in settings) problems.push(`${name} must not be set in Azure`);
  return problems;
}

function roleProblems(template: JsonObject): string[] {
  const variables = obj(template.variables, 'variables');
  const described = JSON.stringify(obj(obj(template.metadata, 'metadata').builtInRoles, 'metadata.builtInRoles'));
  const problems: string[] = [];
  for (const [variable, role] of Object.entries(BUILT_IN_ROLES)) {
    if (variables[variable] !== role.id) problems.push(`variables.${variable} is ${JSON.stringify(variables[variable])}, not ${role.name} (${role.id})`);
    if (!described.includes(`${role.name} (${role.id})`)) problems.push(`metadata.builtInRoles does not name ${role.name} (${role.id})`);
  }
  const ids = new Set(Object.values(BUILT_IN_ROLES).map((role) => role.id));
  const text = JSON.stringify({ ...template, metadata: null });
  for (const [guid] of text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)) if (!ids.has(guid.toLowerCase())) problems.push(`${guid} is not one of the built-in roles named`);
  const assignment = obj(resourceOf(template, 'Microsoft.Authorization/roleAssignments').properties, 'role assignment');
  if (assignment.roleDefinitionId !== "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roleStorageBlobDataContributor'))]") problems.push(`the storage role assignment grants ${JSON.stringify(assignment.roleDefinitionId)}`);
  return problems;
}

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
      assert.deepEqual(schemaProblems(original()), []);
    });

    it('uses API versions the schemas know, for resources and for reference() reads', function () {
      assert.deepEqual(apiVersionProblems(original()), []);
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
      assert.match(JSON.stringify(config), /acrdoc4kq2mzl7x3p5e\.blob\.core\.windows\.net/);
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
      for (const name of ['grantReaderOnRegistry', 'grantReaderOnPrivateEndpointsResourceGroup', 'grantReaderOnPrivateDnsZonesResourceGroup']) {
        assert.match(command(name), /variables\('grantPrefix'\), reference\(variables\('identityId'\), '[\d-]+'\)\.principalId, variables\('roleReader'\)\)\]$/, name);
      }
      assert.match(command('grantReaderOnRegistry'), /--scope "\$REGISTRY_ID"/);
      assert.match(command('grantSupportRequestContributor'), /variables\('roleSupportRequestContributor'\)\)\]$/);
      assert.equal(obj(outputs.grantSupportRequestContributor, 'support').condition, "[equals(parameters('ticketSink'), 'azure')]");
      assert.equal(obj(original().variables, 'variables').grantPrefix, 'az role assignment create --assignee-principal-type ServicePrincipal --assignee-object-id');
    });
  });

  describe('the checks refuse a broken template', function () {
    it('a property the resource type does not name, or of the wrong type', function () {
      const typo = mutated((t) => (obj(obj(resourceOf(t, 'Microsoft.Web/sites').properties, 'site').siteConfig, 'siteConfig').alwaysOnn = true));
      assert.ok(schemaProblems(typo).some((p) => p.includes('(closed)') && p.includes('alwaysOnn')));
      const wrongType = mutated((t) => (obj(resourceOf(t, 'Microsoft.Web/sites').properties, 'site').httpsOnly = 'yes'));
      assert.ok(schemaProblems(wrongType).some((p) => p.includes('(published)') && p.includes('/properties/httpsOnly')));
      const unknownKey = mutated((t) => (t.resourceGroup = 'rg'));
      assert.ok(schemaProblems(unknownKey).some((p) => p.startsWith('deploymentTemplate.json') && p.includes('resourceGroup')));
    });

    it('what only the deployment template schema refuses: tags as an expression, though the resource type allows it', function () {
      const tagged = mutated((t) => (resourceOf(t, 'Microsoft.ManagedIdentity/userAssignedIdentities').tags = "[parameters('tags')]"));
      assert.deepEqual(schemaProblems(tagged), ['deploymentTemplate.json: /resources/0/tags must be object {"type":"object"}']);
    });

    it('an apiVersion the schemas do not know', function () {
      const future = mutated((t) => (resourceOf(t, 'Microsoft.Web/sites').apiVersion = '2099-01-01'));
      assert.ok(apiVersionProblems(future).some((p) => p.startsWith('Microsoft.Web/sites@2099-01-01')));
      assert.ok(schemaProblems(future).some((p) => p.includes('no schema')));
    });

    it('a wrong role id', function () {
      const wrong = mutated((t) => (obj(t.variables, 'variables').roleReader = 'b24988ac-6180-42a0-ab88-20f7382dd24c'));
      assert.ok(roleProblems(wrong).some((p) => p.startsWith('variables.roleReader')));
    });

    it('a setting src/ does not read, a needed one missing, a forbidden one', function () {
      const template = mutated((t) => {
        const settings = appSettings(t);
        settings.WEBSITES_PORT = '3978';
        delete settings.AZURE_CLIENT_ID;
      });
      const problems = settingProblems(template, settingsReadBySrc());
      assert.ok(problems.includes('WEBSITES_PORT is set, and nothing in src/ reads it'));
      assert.ok(problems.includes('AZURE_CLIENT_ID is not set'));
      assert.ok(problems.includes('WEBSITES_PORT must not be set in Azure'));
    });
  });
});
