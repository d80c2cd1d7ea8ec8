/**
 * `npm run package`: the Teams app package, a zip of manifest/manifest.json (the bot's id and domain,
 * the developer, and single sign-on when configured, filled in; see buildManifest) and its two icons,
 * written to dist/acr-doctor-teams.zip.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { isGuid } from '../../engine/arm/resource-id.js';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { TOOL } from '../../engine/version.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Manifest {
  id: string;
  version: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  icons: { color: string; outline: string };
  bots: { botId: string }[];
  validDomains: string[];
  webApplicationInfo?: { id: string; resource: string };
}

const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
/** The Bot Framework token service, whose sign-in page the sign-in card opens inside Teams (a regional bot's: the deployment's tokenServiceHost). */
const TOKEN_SERVICE_DOMAIN = 'token.botframework.com';

interface DeploymentOutputs {
  botAppId?: string;
  webAppHostName?: string;
  ssoAppId?: string;
  ssoApplicationIdUri?: string;
  tokenServiceHost?: string;
}

/** What `az deployment group show … --query properties.outputs` printed, when given (DEPLOYMENT_OUTPUTS: its file). */
function deploymentOutputs(env: NodeJS.ProcessEnv): DeploymentOutputs {
  if (!env.DEPLOYMENT_OUTPUTS) return {};
  const outputs = JSON.parse(readFileSync(env.DEPLOYMENT_OUTPUTS, 'utf8')) as Record<string, { value?: unknown } | undefined>;
  const value = (name: string): string | undefined => (typeof outputs[name]?.value === 'string' && outputs[name]!.value ? (outputs[name]!.value as string) : undefined);
  const found: [keyof DeploymentOutputs, string | undefined][] = [
    ['botAppId', value('botAppId')],
    ['webAppHostName', value('webAppHostName')],
    ['ssoAppId', value('ssoAppId')],
    ['ssoApplicationIdUri', value('ssoApplicationIdUri')],
    ['tokenServiceHost', value('tokenServiceHost')],
  ];
  return Object.fromEntries(found.filter(([, v]) => v !== undefined));
}

/** A host name for validDomains: no scheme, path, port or wildcard tricks. */
function domainOf(value: string, what = "BOT_DOMAIN must be the bot's host name (acr-doctor.contoso.com)"): string {
  const host = value.trim().replace(/^https:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(host)) throw new Error(`${what}, not ${JSON.stringify(value)}`);
  return host;
}

/**
 * Teams single sign-on: the app registration Teams asks a token for (SSO_APP_ID, or the deployment's
 * ssoAppId) and its Application ID URI (SSO_RESOURCE, default api://botid-<SSO_APP_ID>), which must
 * be the Azure Bot OAuth connection's token exchange URL too. Teams exchanges tokens silently only
 * for a resource of the form api://[domain/]botid-<GUID>.
 */
function singleSignOn(env: NodeJS.ProcessEnv, outputs: DeploymentOutputs): { id: string; resource: string } | undefined {
  const given = (env.SSO_APP_ID ?? outputs.ssoAppId ?? '').trim().toLowerCase();
  if (!given) {
    if (env.SSO_RESOURCE) throw new Error('SSO_RESOURCE needs SSO_APP_ID: the client id of the app registration it belongs to');
    return undefined;
  }
  if (!isGuid(given) || given === PLACEHOLDER) throw new Error(`SSO_APP_ID must be the single sign-on app registration's client id (a GUID), not ${JSON.stringify(env.SSO_APP_ID ?? outputs.ssoAppId)}`);
  const resource = (env.SSO_RESOURCE ?? outputs.ssoApplicationIdUri ?? `api://botid-${given}`).trim();
  const botId = /^api:\/\/(?:[a-z0-9.-]+\/)?botid-([0-9a-fA-F-]{36})$/i.exec(resource)?.[1];
  if (!botId || !isGuid(botId)) throw new Error(`SSO_RESOURCE must be the app registration's Application ID URI, api://botid-<GUID> (or api://<domain>/botid-<GUID>), not ${JSON.stringify(resource)}`);
  return { id: given, resource };
}

function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an https:// address, not ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:') throw new Error(`${name} must be an https:// address, not ${JSON.stringify(value)}`);
  return url.toString();
}

/**
 * The manifest for this bot registration: the bot id from BOT_ID or MicrosoftAppId (or the
 * deployment's outputs), its domain from BOT_DOMAIN (or the web app's host name), the developer
 * from DEVELOPER_NAME and its URLs, and with SSO_APP_ID single sign-on (webApplicationInfo, and the
 * token service's domain). The all-zero placeholder id only for a local package
 * (TEAMS_LOCAL_PACKAGE=1): a tenant would install a bot that answers nothing.
 */
export function buildManifest(env: NodeJS.ProcessEnv = process.env): Manifest {
  const manifest = JSON.parse(readFileSync(path.join(root, 'manifest', 'manifest.json'), 'utf8')) as Manifest;
  const outputs = deploymentOutputs(env);
  const local = env.TEAMS_LOCAL_PACKAGE === '1' || env.TEAMS_LOCAL_PACKAGE === 'true';
  const botId = (env.BOT_ID ?? env.MicrosoftAppId ?? outputs.botAppId ?? (local ? PLACEHOLDER : '')).trim().toLowerCase();
  if (!botId) throw new Error('the bot id is needed: BOT_ID (or MicrosoftAppId, or DEPLOYMENT_OUTPUTS with the deployment\'s outputs); TEAMS_LOCAL_PACKAGE=1 builds a local package with a placeholder id');
  const appId = (env.TEAMS_APP_ID ?? botId).trim().toLowerCase();
  for (const [name, value] of [['BOT_ID', botId], ['TEAMS_APP_ID', appId]] as const) {
    if (!isGuid(value)) throw new Error(`${name} must be a GUID, not ${JSON.stringify(value)}`);
    if (value === PLACEHOLDER && !local) throw new Error(`${name} is the all-zero placeholder: give the bot's id, or set TEAMS_LOCAL_PACKAGE=1 for a local package`);
  }
  const domain = env.BOT_DOMAIN ?? outputs.webAppHostName;
  const sso = singleSignOn(env, outputs);
  // Without single sign-on the package is the bot alone: no app registration, no token service page.
  const bot: Manifest = { ...manifest };
  delete bot.webApplicationInfo;
  const tokenService = outputs.tokenServiceHost ? domainOf(outputs.tokenServiceHost, "the deployment's tokenServiceHost must be a host name") : TOKEN_SERVICE_DOMAIN;
  const domains = [...(domain ? [domainOf(domain)] : []), ...manifest.validDomains.filter((d) => sso || d !== TOKEN_SERVICE_DOMAIN).map((d) => (d === TOKEN_SERVICE_DOMAIN ? tokenService : d))];
  const developer = {
    name: (env.DEVELOPER_NAME ?? manifest.developer.name).slice(0, 32),
    websiteUrl: httpsUrl('DEVELOPER_WEBSITE_URL', env.DEVELOPER_WEBSITE_URL ?? manifest.developer.websiteUrl),
    privacyUrl: httpsUrl('DEVELOPER_PRIVACY_URL', env.DEVELOPER_PRIVACY_URL ?? manifest.developer.privacyUrl),
    termsOfUseUrl: httpsUrl('DEVELOPER_TERMS_URL', env.DEVELOPER_TERMS_URL ?? manifest.developer.termsOfUseUrl),
  };
  return {
    ...bot,
    id: appId,
    version: TOOL.version,
    developer,
    bots: manifest.bots.map((b) => ({ ...b, botId })),
    validDomains: [...new Set(domains)],
    ...(sso ? { webApplicationInfo: sso } : {}),
  };
}

export async function packageApp(out = path.join(root, 'dist', 'acr-doctor-teams.zip'), env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const manifest = buildManifest(env);
  await mkdir(path.dirname(out), { recursive: true });
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
  for (const icon of [manifest.icons.color, manifest.icons.outline]) zip.addFile(path.join(root, 'manifest', icon), icon);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageApp().then(
    (out) => process.stdout.write(`Teams app package: ${out}\n`),
    (err: unknown) => {
      process.stderr.write(`package: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
