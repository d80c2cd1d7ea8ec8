/**
 * The checks infra/main.json must pass, as functions that list what is wrong, so the tests can
 * show each of them refusing a broken template too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isObject, repoPath, withoutArmKeys, type ArmSchemas, type Json, type JsonObject } from './arm-schemas.js';

/** The published built-in role ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const BUILT_IN_ROLES = {
  roleReader: { name: 'Reader', id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' },
  roleStorageBlobDataContributor: { name: 'Storage Blob Data Contributor', id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' },
  roleSupportRequestContributor: { name: 'Support Request Contributor', id: 'cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e' },
};

/**
 * The Azure Bot OAuth connection's service providers by id (POST
 * /subscriptions/{id}/providers/Microsoft.BotService/listAuthServiceProviders lists them; the id of
 * Azure Active Directory v2 as Microsoft's own templates give it, e.g. OfficeDev/Copilot-for-M365-Samples,
 * samples/msgext-product-support-sso-ts/infra/botRegistration/azurebot.bicep).
 */
export const BOT_SERVICE_PROVIDERS = {
  serviceProviderAadV2: { name: 'Azure Active Directory v2', id: '30dd229c-58e3-4a48-bdfd-91ec48eb906c' },
};

/** The Bot Framework token service of each bot location (learn.microsoft.com/azure/bot-service/ref-oauth-redirect-urls). */
export const TOKEN_SERVICE_HOSTS: Record<string, string> = {
  global: 'token.botframework.com',
  westeurope: 'europe.token.botframework.com',
  centralindia: 'india.token.botframework.com',
};

/** Settings for App Service itself, not the bot: set on purpose, read by no code of ours. */
export const PLATFORM_SETTINGS: Record<string, string> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false: the zip package carries its node_modules, nothing to build on deploy',
};

export const CLIENT_ID = "[reference(variables('identityId'), '2023-01-31').clientId]";
export const PRINCIPAL_ID = "[reference(variables('identityId'), '2023-01-31').principalId]";

/** What the bot must be given in Azure: literal values, or the expression that fills them in. */
export const NEEDED: Record<string, string | RegExp> = {
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppId: CLIENT_ID,
  MicrosoftAppTenantId: '[tenant().tenantId]',
  AZURE_CLIENT_ID: CLIENT_ID,
  ALLOWED_TENANTS: "[parameters('allowedTenants')]",
  ARM_SCOPES: "[parameters('armScopes')]",
  // Single sign-on configured: Azure read as the asker (user); otherwise with the bot's identity (bot).
  ARM_ACCESS: "[if(variables('sso'), 'user', 'bot')]",
  SSO_CONNECTION_NAME: "[if(variables('sso'), parameters('ssoConnectionName'), '')]",
  SSO_APP_ID: "[parameters('ssoAppClientId')]",
  // A regional bot's users sign in through its region's token service (learn.microsoft.com/azure/bot-service/ref-oauth-redirect-urls).
  OAuthUrl: "[if(equals(parameters('botLocation'), 'global'), '', format('https://{0}', variables('tokenServiceHost')))]",
  HOST: '0.0.0.0',
  BOT_PUBLIC_URL: /^\[format\('https:\/\/\{0\}', reference\(variables\('webAppId'\), '[\d-]+'\)\.defaultHostName\)\]$/,
  BOT_STORAGE_BLOB_URL: /reference\(variables\('storageAccountId'\), '[\d-]+'\)\.primaryEndpoints\.blob/,
  BOT_STORAGE_CONTAINER: "[parameters('stateContainerName')]",
  DATA_DIR: '/home/data',
  LOG_LEVEL: 'info',
  // App Service's front end adds the client's address (with its port) to X-Forwarded-For: one trusted hop.
  TRUST_FORWARDED_FOR: '1',
  TICKET_SINK: "[parameters('ticketSink')]",
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false',
};

/**
 * Never in Azure: a secret the identity replaces (the bot's own, or the single sign-on app's, whose
 * on-behalf-of exchange the identity proves through a federated credential), a key storage refuses,
 * or what App Service sets itself.
 */
export const NEVER = ['MicrosoftAppPassword', 'AZURE_CLIENT_SECRET', 'SSO_CLIENT_SECRET', 'BOT_STORAGE_CONNECTION_STRING', 'PORT', 'WEBSITES_PORT'];

export const obj = (value: Json | undefined, what: string): JsonObject => {
  if (!isObject(value)) throw new Error(`${what} is not an object`);
  return value;
};
export const list = (value: Json | undefined): JsonObject[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Every resource with its full type, child resources included. */
export function allResources(template: JsonObject): { resource: JsonObject; type: string }[] {
  const walk = (resources: JsonObject[], parent: string): { resource: JsonObject; type: string }[] =>
    resources.flatMap((resource) => {
      const type = parent ? `${parent}/${String(resource.type)}` : String(resource.type);
      return [{ resource, type }, ...walk(list(resource.resources), type)];
    });
  return walk(list(template.resources), '');
}

export const resourceOf = (template: JsonObject, type: string): JsonObject => {
  const found = allResources(template).find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found.resource;
};
export const appSettings = (template: JsonObject): JsonObject => obj(resourceOf(template, 'Microsoft.Web/sites/config').properties, 'app settings');

export function schemaProblems(schemas: ArmSchemas, template: JsonObject): string[] {
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
export function apiVersionProblems(schemas: ArmSchemas, template: JsonObject): string[] {
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
export function settingsReadBySrc(): Set<string> {
  const names = new Set<string>();
  const files = readdirSync(repoPath('src/'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    // Import lines name modules, not settings (`./proxy-env.js`).
    const code = readFileSync(repoPath(`src/${file}`), 'utf8').replace(/^\s*(?:import|export)\b.*\bfrom\s*['"].*$/gm, '');
    for (const pattern of [/\benv\.([A-Za-z_]\w*)/g, /\benv\[\s*(?:'|")([A-Za-z_]\w*)(?:'|")\s*\]/g, /\(env,\s*'([A-Za-z_]\w*)'/g]) {
      for (const match of code.matchAll(pattern)) if (match[1]) names.add(match[1]);
    }
  }
  return names;
}

export function settingProblems(template: JsonObject, read: Set<string>): string[] {
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

export function roleProblems(template: JsonObject): string[] {
  const variables = obj(template.variables, 'variables');
  const described = JSON.stringify(obj(obj(template.metadata, 'metadata').builtInRoles, 'metadata.builtInRoles'));
  const problems: string[] = [];
  for (const [variable, role] of Object.entries(BUILT_IN_ROLES)) {
    if (variables[variable] !== role.id) problems.push(`variables.${variable} is ${JSON.stringify(variables[variable])}, not ${role.name} (${role.id})`);
    if (!described.includes(`${role.name} (${role.id})`)) problems.push(`metadata.builtInRoles does not name ${role.name} (${role.id})`);
  }
  const ids = new Set([...Object.values(BUILT_IN_ROLES), ...Object.values(BOT_SERVICE_PROVIDERS)].map((known) => known.id));
  const text = JSON.stringify({ ...template, metadata: null });
  for (const [guid] of text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)) if (!ids.has(guid.toLowerCase())) problems.push(`${guid} is not one of the built-in roles or service providers named`);
  const assignment = obj(resourceOf(template, 'Microsoft.Authorization/roleAssignments').properties, 'role assignment');
  if (assignment.roleDefinitionId !== "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roleStorageBlobDataContributor'))]") problems.push(`the storage role assignment grants ${JSON.stringify(assignment.roleDefinitionId)}`);
  return problems;
}


/**
 * Single sign-on: the Azure Bot's OAuth connection (Azure Active Directory v2, by its id) made only
 * with an app registration and a secret for it, exchanging Teams' token for one of the app itself
 * (which the bot then exchanges on behalf of the user for ARM), with the token exchange URL the
 * Teams manifest names; the token service of the bot's location; and the outputs that go with it.
 */
export function ssoProblems(template: JsonObject): string[] {
  const problems: string[] = [];
  const variables = obj(template.variables, 'variables');
  const parameters = obj(template.parameters, 'parameters');
  const described = JSON.stringify(obj(obj(template.metadata, 'metadata').botServiceProviders, 'metadata.botServiceProviders'));
  const expect = (what: string, actual: Json | undefined, expected: string): void => {
    if (actual !== expected) problems.push(`${what} is ${JSON.stringify(actual)}, not ${expected}`);
  };
  const provider = BOT_SERVICE_PROVIDERS.serviceProviderAadV2;
  expect('variables.serviceProviderAadV2', variables.serviceProviderAadV2, provider.id);
  if (!described.includes(`${provider.name} (${provider.id})`)) problems.push(`metadata.botServiceProviders does not name ${provider.name} (${provider.id})`);
  expect('variables.sso', variables.sso, "[not(empty(parameters('ssoAppClientId')))]");
  expect('parameters.ssoAppClientId', obj(parameters.ssoAppClientId, 'ssoAppClientId').defaultValue, '');
  expect('parameters.ssoAppClientSecret type', obj(parameters.ssoAppClientSecret, 'ssoAppClientSecret').type, 'securestring');
  expect('parameters.ssoApplicationIdUri', obj(parameters.ssoApplicationIdUri, 'ssoApplicationIdUri').defaultValue, "[format('api://botid-{0}', parameters('ssoAppClientId'))]");
  expect('variables.ssoScopes', variables.ssoScopes, "[format('{0}/access_as_user openid profile offline_access', parameters('ssoApplicationIdUri'))]");

  const connection = resourceOf(template, 'Microsoft.BotService/botServices/connections');
  expect('the connection\'s condition', connection.condition, "[and(variables('sso'), not(empty(parameters('ssoAppClientSecret'))))]");
  expect('the connection\'s name', connection.name, "[format('{0}/{1}', parameters('botName'), parameters('ssoConnectionName'))]");
  const properties = obj(connection.properties, 'connection');
  expect('serviceProviderId', properties.serviceProviderId, "[variables('serviceProviderAadV2')]");
  expect('serviceProviderDisplayName', properties.serviceProviderDisplayName, provider.name);
  expect('clientId', properties.clientId, "[parameters('ssoAppClientId')]");
  expect('clientSecret', properties.clientSecret, "[parameters('ssoAppClientSecret')]");
  expect('scopes', properties.scopes, "[variables('ssoScopes')]");
  const given = Object.fromEntries(list(properties.parameters).map((p) => [String(p.key), p.value ?? null]));
  expect('parameter tenantID', given.tenantID, '[tenant().tenantId]');
  expect('parameter tokenExchangeUrl', given.tokenExchangeUrl, "[parameters('ssoApplicationIdUri')]");
  if (Object.keys(given).length !== 2) problems.push(`the connection's parameters are ${Object.keys(given).join(', ')}, not tenantID and tokenExchangeUrl`);

  const locations = obj(parameters.botLocation, 'botLocation').allowedValues;
  if (JSON.stringify(variables.tokenServiceHosts) !== JSON.stringify(Object.fromEntries((Array.isArray(locations) ? locations : []).map((l) => [String(l), TOKEN_SERVICE_HOSTS[String(l)] ?? '(none)'])))) {
    problems.push(`variables.tokenServiceHosts is ${JSON.stringify(variables.tokenServiceHosts)}, not the token service of each botLocation`);
  }
  expect('variables.tokenServiceHost', variables.tokenServiceHost, "[variables('tokenServiceHosts')[parameters('botLocation')]]");

  const outputs = obj(template.outputs, 'outputs');
  for (const [name, value] of [['ssoAppId', "[parameters('ssoAppClientId')]"], ['ssoApplicationIdUri', "[parameters('ssoApplicationIdUri')]"], ['tokenServiceHost', "[variables('tokenServiceHost')]"]] as const) {
    const output = obj(outputs[name], `output ${name}`);
    expect(`output ${name}`, output.value, value);
    expect(`output ${name}'s condition`, output.condition, "[variables('sso')]");
  }
  return problems;
}
