/** Command-line parsing for acr-check: commander reads the words, we validate the values. */
import { Command, CommanderError, Option } from 'commander';
import { isAksCluster } from '../engine/target/aks-cluster.js';
import { isGuid } from '../engine/arm/resource-id.js';
import { isLang, langFromEnv, t } from '../engine/i18n/i18n.js';
import { knowledge } from '../engine/knowledge/knowledge.js';
import { parseDnsServer, type DnsServer } from '../engine/probes/dns-wire.js';
import { CLIENT_KINDS, type ClientKind, type Lang } from '../engine/report/types.js';
import { parseDataEndpoint, parseRegistryTarget, quoteInput, TargetError, type RegistryTarget } from '../engine/target/registry-target.js';
import { TOOL } from '../engine/version.js';
import { normalizeCode, parseBotUrl, reportsUrl } from '../handover/protocol.js';

export interface CliOptions {
  target: RegistryTarget;
  symptoms: string[];
  client?: ClientKind;
  json: boolean;
  budgetMs: number;
  arm: boolean;
  subscription?: string;
  workspace?: string;
  /** --aks-cluster: the AKS cluster the client runs in (a resource id, or resourceGroup/name). */
  aksCluster?: string;
  dnsServers: DnsServer[];
  dataEndpoints: string[];
  lang: Lang;
  /** --send / --code: where to hand the report, with which one-time code. */
  send?: { url: string; code: string };
}

/** A bad argument: exit 2 with this message and a pointer to --help. */
export class UsageError extends Error {}

/** --help and --version: print what commander wrote and exit 0. */
export class InfoExit extends Error {}

interface RawOptions {
  symptom: string[];
  client?: string;
  json?: boolean;
  timeout?: string;
  arm: boolean;
  subscription?: string;
  workspace?: string;
  aksCluster?: string;
  dnsServer: string[];
  dataEndpoint: string[];
  lang?: string;
  send?: string;
  code?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function program(lang: Lang, out: { write: (s: string) => void }): Command {
  return new Command('acr-check')
    .description(t(lang, 'cli.description'))
    .version(TOOL.version, '-V, --version')
    .argument('<registry>', t(lang, 'cli.argRegistry'))
    .option('-s, --symptom <id>', t(lang, 'cli.optSymptom', { list: knowledge.symptoms.join(', ') }), collect, [])
    .addOption(new Option('-c, --client <kind>', t(lang, 'cli.optClient', { list: CLIENT_KINDS.join(', ') })))
    .option('--json', t(lang, 'cli.optJson'))
    .option('-t, --timeout <seconds>', t(lang, 'cli.optTimeout'), '8')
    .option('--no-arm', t(lang, 'cli.optNoArm'))
    .option('--subscription <id>', t(lang, 'cli.optSubscription'))
    .option('--workspace <id>', t(lang, 'cli.optWorkspace'))
    .option('--aks-cluster <cluster>', t(lang, 'cli.optAksCluster'))
    .option('--dns-server <ip[:port]>', t(lang, 'cli.optDnsServer'), collect, [])
    .option('--data-endpoint <host>', t(lang, 'cli.optDataEndpoint'), collect, [])
    .option('--lang <en|ru|ar>', t(lang, 'cli.optLang'))
    .option('--send <url>', t(lang, 'cli.optSend'))
    .option('--code <code>', t(lang, 'cli.optCode'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.write(s), outputError: () => undefined })
    .helpOption('-h, --help')
    .allowExcessArguments(false);
}

/** Parses argv (without node and script). Throws UsageError or InfoExit; never exits itself. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv, out: { write: (s: string) => void }): CliOptions {
  const envLang = langFromEnv(env);
  const command = program(envLang, out);
  try {
    command.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') throw new InfoExit();
      throw new UsageError(err.message.replace(/^error: /, ''));
    }
    throw err;
  }
  const raw = command.opts<RawOptions>();
  const lang = raw.lang === undefined ? envLang : isLang(raw.lang) ? raw.lang : fail(envLang, 'cli.badLang', raw.lang);

  let target: RegistryTarget;
  try {
    target = parseRegistryTarget(command.args[0] ?? '');
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(t(lang, err.key, err.params));
    throw err;
  }
  for (const symptom of raw.symptom) {
    if (!knowledge.symptoms.includes(symptom)) fail(lang, 'cli.badSymptom', symptom, { list: knowledge.symptoms.join(', ') });
  }
  if (raw.client !== undefined && !(CLIENT_KINDS as readonly string[]).includes(raw.client)) {
    fail(lang, 'cli.badClient', raw.client, { list: CLIENT_KINDS.join(', ') });
  }
  const seconds = Number(raw.timeout);
  if (!/^\d+(\.\d+)?$/.test(raw.timeout ?? '') || seconds < 1 || seconds > 120) fail(lang, 'cli.badTimeout', raw.timeout ?? '');
  const dnsServers = raw.dnsServer.map((s) => parseDnsServer(s) ?? fail(lang, 'cli.badDnsServer', s));
  let dataEndpoints: string[];
  try {
    dataEndpoints = [...new Set(raw.dataEndpoint.map((d) => parseDataEndpoint(d, target)))];
  } catch (err) {
    if (err instanceof TargetError) throw new UsageError(t(lang, err.key, err.params));
    throw err;
  }
  if (raw.subscription !== undefined && !isGuid(raw.subscription)) fail(lang, 'cli.badGuid', raw.subscription, { option: '--subscription' });
  const workspace = raw.workspace ?? env.ACR_LOG_ANALYTICS_WORKSPACE_ID;
  if (workspace !== undefined && !isGuid(workspace)) fail(lang, 'cli.badGuid', workspace, { option: '--workspace' });
  if (raw.aksCluster !== undefined && !isAksCluster(raw.aksCluster)) fail(lang, 'cli.badAksCluster', raw.aksCluster);
  let send: CliOptions['send'];
  if (raw.send !== undefined || raw.code !== undefined) {
    if (raw.send === undefined || raw.code === undefined) throw new UsageError(t(lang, 'cli.sendNeedsCode'));
    const bot = parseBotUrl(raw.send) ?? fail(lang, 'cli.badSendUrl', raw.send);
    const code = normalizeCode(raw.code) ?? fail(lang, 'cli.badCode', raw.code);
    send = { url: reportsUrl(bot), code };
  }
  return {
    target,
    symptoms: [...new Set(raw.symptom)],
    // Naming a cluster says where the client runs.
    ...(raw.client ? { client: raw.client as ClientKind } : raw.aksCluster ? { client: 'aks' as ClientKind } : {}),
    json: raw.json === true,
    budgetMs: Math.round(seconds * 1000),
    arm: raw.arm,
    ...(raw.subscription ? { subscription: raw.subscription.toLowerCase() } : {}),
    ...(workspace ? { workspace: workspace.toLowerCase() } : {}),
    ...(raw.aksCluster ? { aksCluster: raw.aksCluster } : {}),
    dnsServers,
    dataEndpoints,
    lang,
    ...(send ? { send } : {}),
  };
}

function fail(lang: Lang, key: string, input: string, params: Record<string, string> = {}): never {
  throw new UsageError(t(lang, key, { input: quoteInput(input), ...params }));
}
