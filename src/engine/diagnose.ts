/**
 * The core: probes run concurrently inside one time budget, rules turn their evidence into
 * findings, and the result is one serialisable report. Fronts call `diagnose` and present.
 */
import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { classifyAddress } from './probes/address.js';
import { addressesOf, probeDnsServer, probeSystemResolver, sharedChainResolver } from './probes/dns.js';
import { formatDnsServer, parseDnsServer, type DnsServer } from './probes/dns-wire.js';
import { deadline, raceSignal, timeoutSignal } from './net/deadlines.js';
import { Recorder } from './probes/recorder.js';
import { type Evidence, type Outcome, type ProgressListener } from './probes/evidence.js';
import type { OutcomeCode } from './probes/outcomes.js';
import { makeDispatcher } from './net/dispatcher.js';
import { probeDataEndpoint, probeToken, probeV2 } from './probes/http.js';
import { probeProxyConnect } from './probes/proxy.js';
import { selectProxy, type ProxyChoice } from './net/proxy-env.js';
import { probeTcp } from './probes/tcp.js';
import { probeTls } from './probes/tls.js';
import { probeExchange, type TokenSource } from './probes/exchange.js';
import { readArmFacts } from './arm/read-facts.js';
import type { ArmApi } from './arm/sdk.js';
import type { LoginEventsReader } from './arm/login-events.js';
import { evaluate, verdictOf } from './rules/evaluate.js';
import { renderCheck, renderFinding } from './report/render.js';
import { SCHEMA_VERSION, type ClientContext, type ClientKind, type Facts, type Lang, type Report } from './report/types.js';
import type { RegistryTarget } from './target/registry-target.js';
import { TOOL } from './version.js';

export const DEFAULT_BUDGET_MS = 8000;

export interface DiagnoseRequest {
  target: RegistryTarget;
  symptoms?: string[];
  client?: ClientKind;
  /** Servers to query directly; the system's when empty. */
  dnsServers?: DnsServer[];
  dataEndpoints?: string[];
  budgetMs?: number;
  /** Part of the budget already used before this call (the CLI's own start-up). */
  spentMs?: number;
  lang?: Lang;
  facts?: Facts;
  /** Azure Resource Manager, to read the registry's configuration; absent (--no-arm), ARM checks are skipped. */
  arm?: { api: () => Promise<ArmApi>; subscription?: string; loginEvents?: LoginEventsReader };
  /** Why ARM is not read when `arm` is absent (an i18n key under outcomes); `skip.arm-disabled` (--no-arm) by default. */
  armSkipped?: OutcomeCode;
  /** This machine's hosts file when it is not where the platform usually keeps it (the front reads %SystemRoot%). */
  hostsFile?: string;
  /** The AKS cluster the client runs in (a resource id, or `resourceGroup/name`): its side of a failed pull is read too. */
  aksCluster?: string;
  /** The client's Azure identity, for the token exchange; without one that check is skipped. */
  tokenSource?: TokenSource;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * The share of the budget DNS may use, so that a silent resolver leaves time to say so. Connecting
 * has no share of its own: the kernel retransmits a lost SYN after 1 s, 3 s, 7 s…, so a connection
 * waits until the deadline before it is called dropped.
 */
const SHARE = { dns: 0.4 } as const;
/** Kept back from the budget for rules and rendering, so the report is complete on time. */
const RESERVE_MS = 200;

export function systemDnsServers(): DnsServer[] {
  return dns.getServers().flatMap((s) => parseDnsServer(s) ?? []);
}

export async function diagnose(request: DiagnoseRequest): Promise<Report> {
  const startedAt = new Date();
  const started = performance.now();
  const budgetMs = request.budgetMs ?? DEFAULT_BUDGET_MS;
  const remainingMs = Math.max(100, budgetMs - (request.spentMs ?? 0) - RESERVE_MS);
  const budget = timeoutSignal(remainingMs, request.signal);
  // Every probe of the run listens to the one budget; their number grows with addresses and endpoints.
  setMaxListeners(0, budget);
  const { target } = request;
  const host = target.loginServer;
  const proxy = selectProxy(host);
  const systemServers = systemDnsServers();
  const servers = request.dnsServers?.length ? request.dnsServers : systemServers;
  const resolve = sharedChainResolver();
  const recorder = new Recorder(request.onProgress);
  let armFacts: Facts = {};
  const dispatcher = makeDispatcher(proxy, remainingMs);

  planChecks(recorder, request, host, proxy, servers);
  try {
    const system = recorder.run('dns.system', 'dns.system', { host }, () =>
      probeSystemResolver(host, deadline(budget, budgetMs * SHARE.dns), { servers: systemServers, resolve, ...(request.hostsFile ? { hostsFile: request.hostsFile } : {}) }),
    );
    const direct = servers.length
      ? Promise.all(
          servers.map((server) => {
            const name = formatDnsServer(server);
            return recorder.run(`dns.server:${name}`, 'dns.server', { server: name, host }, () =>
              probeDnsServer(server, host, deadline(budget, budgetMs * SHARE.dns), resolve),
            );
          }),
        )
      : Promise.resolve([recorder.skip('dns.server', 'dns.server', { server: '-', host }, 'skip.no-dns-server')]);
    const consistency = Promise.all([system, direct]).then(([sys, answers]) => compareAnswers(recorder, sys, answers));
    const path = connectionPath(recorder, host, proxy, system, budget);
    const http = httpProbes(recorder, host, proxy, system, dispatcher, budget, request.tokenSource);
    const probed = new Set<string>();
    const probeData = (endpoints: string[]): Promise<unknown> =>
      Promise.all(
        endpoints
          .filter((endpoint) => !probed.has(endpoint) && probed.add(endpoint))
          .map((endpoint) => recorder.run(`data:${endpoint}`, 'data', { host: endpoint }, () => probeDataEndpoint(endpoint, dispatcher, budget))),
      );
    const data = probeData(request.dataEndpoints ?? []);
    // ARM runs beside the probes; the data endpoints it reveals are probed as soon as they are known.
    let armData: Promise<unknown> = Promise.resolve();
    const arm = readArm(request, recorder, budget, started + remainingMs, (facts) => (armData = probeData(facts.dataEndpoints ?? []))).then((facts) => {
      armFacts = facts;
    });
    await Promise.all([consistency, path, http, data, arm]);
    await armData;
  } finally {
    void dispatcher.destroy().catch(() => undefined);
  }

  const lang = request.lang ?? 'en';
  const client: ClientContext = {
    ...(request.client ? { kind: request.client } : {}),
    ...(proxy ? { proxy: proxy.display } : {}),
    dnsServers: servers.map(formatDnsServer),
    hostname: os.hostname(),
    platform: `${process.platform}/${process.arch}`,
  };
  const facts = { ...request.facts, ...armFacts };
  const symptoms = request.symptoms ?? [];
  const evidence = orderEvidence(recorder.evidence);
  const raw = evaluate({ registry: target, symptoms, client, evidence, facts });
  return {
    schemaVersion: SCHEMA_VERSION,
    id: randomUUID(),
    tool: TOOL,
    lang,
    registry: { name: target.name, loginServer: target.loginServer, ...(target.resourceId ? { resourceId: target.resourceId } : {}) },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    budgetMs,
    symptoms,
    client,
    checks: evidence.map((e) => renderCheck(lang, e)),
    facts,
    findings: raw.map((f) => renderFinding(lang, f)),
    verdict: verdictOf(raw, evidence.some((e) => e.status === 'fail')),
  };
}

const KIND_ORDER = [
  'dns.system',
  'dns.server',
  'dns.consistency',
  'proxy',
  'tcp',
  'tls',
  'v2',
  'token',
  'exchange',
  'data',
  'arm.registry',
  'arm.replications',
  'arm.private-endpoints',
  'arm.private-dns',
  'arm.provider',
  'arm.login-events',
  'arm.aks',
];

async function readArm(
  request: DiagnoseRequest,
  recorder: Recorder,
  budget: AbortSignal,
  deadlineAt: number,
  onRegistry: (facts: Facts) => void,
): Promise<Facts> {
  if (!request.arm) {
    recorder.skip('arm.registry', 'arm.registry', {}, request.armSkipped ?? 'skip.arm-disabled');
    return {};
  }
  let api: ArmApi;
  try {
    api = await raceSignal(request.arm.api(), budget);
  } catch (err) {
    await recorder.run('arm.registry', 'arm.registry', {}, () => Promise.reject(err instanceof Error ? err : new Error(String(err))));
    // Nothing else of ARM runs now: progress must not keep naming those checks as still running.
    [...ARM_CHECKS, 'arm.aks'].forEach((id) => recorder.unplan(id));
    return {};
  }
  const subscription = request.arm.subscription ?? request.target.subscriptionId;
  return readArmFacts(api, request.target, recorder, { budget, deadlineAt: performance.timeOrigin + deadlineAt, onRegistry, ...(subscription ? { subscription } : {}), ...(request.arm.loginEvents ? { loginEvents: request.arm.loginEvents } : {}), ...(request.aksCluster ? { aksCluster: request.aksCluster } : {}) });
}

/** Checks in the order a reader follows a connection, whatever order they finished in. */
function orderEvidence(evidence: Evidence[]): Evidence[] {
  return evidence.map((e, i) => ({ e, i })).sort((a, b) => KIND_ORDER.indexOf(a.e.kind) - KIND_ORDER.indexOf(b.e.kind) || a.i - b.i).map(({ e }) => e);
}

const ARM_CHECKS = ['arm.registry', 'arm.replications', 'arm.private-endpoints', 'arm.private-dns', 'arm.provider', 'arm.login-events'];

/** Every check the run will make, as far as it is known before any answer: progress counts them from the start. */
function planChecks(recorder: Recorder, request: DiagnoseRequest, host: string, proxy: ProxyChoice | undefined, servers: DnsServer[]): void {
  recorder.plan('dns.system', 'dns.system', { host });
  if (servers.length === 0) recorder.plan('dns.server', 'dns.server', { server: '-', host });
  for (const server of servers) recorder.plan(`dns.server:${formatDnsServer(server)}`, 'dns.server', { server: formatDnsServer(server), host });
  recorder.plan('dns.consistency', 'dns.consistency');
  if (proxy) recorder.plan('proxy', 'proxy', { proxy: proxy.display });
  else recorder.plan('tcp', 'tcp', { address: host });
  recorder.plan('tls', 'tls', { servername: host });
  recorder.plan('v2', 'v2', { url: `https://${host}/v2/` });
  recorder.plan('token', 'token', { url: `https://${host}/oauth2/token` });
  recorder.plan('exchange', 'exchange', { url: `https://${host}/oauth2/exchange` });
  for (const endpoint of request.dataEndpoints ?? []) recorder.plan(`data:${endpoint}`, 'data', { host: endpoint });
  if (!request.arm) return recorder.plan('arm.registry', 'arm.registry', {});
  for (const id of ARM_CHECKS) recorder.plan(id, id, {});
  if (request.aksCluster) recorder.plan('arm.aks', 'arm.aks', { cluster: request.aksCluster });
}

async function compareAnswers(recorder: Recorder, system: Evidence, direct: Evidence[]): Promise<void> {
  const answered = direct.find((e) => e.status === 'pass');
  if (system.status !== 'pass' || !answered) return recorder.unplan('dns.consistency');
  const systemAddresses = addressesOf(system.data).sort();
  const dnsAddresses = addressesOf(answered.data).sort();
  const data = { systemAddresses: systemAddresses.join(', '), dnsAddresses: dnsAddresses.join(', '), source: system.data.source ?? 'dns' };
  const same = systemAddresses.length === dnsAddresses.length && systemAddresses.every((a, i) => a === dnsAddresses[i]);
  const outcome: Outcome = same
    ? { status: 'pass', outcome: 'dns.consistency.same', data }
    : { status: 'warn', outcome: system.data.source === 'hosts' ? 'dns.consistency.hosts-differs' : 'dns.consistency.differs', data };
  await recorder.run('dns.consistency', 'dns.consistency', {}, () => Promise.resolve(outcome));
}

/** TCP then TLS, directly to each address the system resolver gave, or through the proxy's tunnel. */
async function connectionPath(
  recorder: Recorder,
  host: string,
  proxy: ProxyChoice | undefined,
  system: Promise<Evidence>,
  budget: AbortSignal,
): Promise<void> {
  let socket: Duplex | undefined;
  let via: Record<string, string> = {};
  /** TCP checks still under way while TLS runs. */
  let pending: Promise<unknown> = Promise.resolve();
  if (proxy) {
    let tunnel: Duplex | undefined;
    const result = await recorder.run('proxy', 'proxy', { proxy: proxy.display }, async () => {
      const attempt = await probeProxyConnect(proxy, host, budget);
      tunnel = attempt.socket;
      return attempt.outcome;
    });
    if (result.status !== 'pass') return void recorder.skip('tls', 'tls', { servername: host }, 'skip.proxy-failed');
    socket = tunnel;
    via = { via: 'proxy', proxy: proxy.display };
  } else {
    const resolved = await system;
    const addresses = addressesOf(resolved.data);
    if (resolved.status !== 'pass' || addresses.length === 0) {
      recorder.skip('tcp', 'tcp', { address: host }, 'skip.dns-failed');
      return void recorder.skip('tls', 'tls', { servername: host }, 'skip.dns-failed');
    }
    // TLS starts on the first address that connects: the others may wait for the deadline (a stale
    // record, an IPv6 address without a route) and must not starve it.
    let chosen: { address: string; socket: Duplex } | undefined;
    let firstConnected: (value: typeof chosen) => void = () => undefined;
    const connectedFirst = new Promise<typeof chosen>((resolve) => (firstConnected = resolve));
    const attempts = Promise.all(
      addresses.map((address) =>
        recorder.run(`tcp:${address}`, 'tcp', { address, class: classifyAddress(address) }, async () => {
          const attempt = await probeTcp(address, 443, budget);
          if (attempt.socket && chosen) attempt.socket.destroy();
          else if (attempt.socket) firstConnected((chosen = { address, socket: attempt.socket }));
          return attempt.outcome;
        }),
      ),
    ).then(() => firstConnected(undefined));
    const first = await connectedFirst;
    if (!first) return void recorder.skip('tls', 'tls', { servername: host }, 'skip.no-connection');
    socket = first.socket;
    via = { via: 'direct', address: first.address };
    pending = attempts;
  }
  const tunnelled = socket!;
  await Promise.all([recorder.run('tls', 'tls', { servername: host }, () => probeTls(tunnelled, host, budget, via)), pending]);
}

async function httpProbes(
  recorder: Recorder,
  host: string,
  proxy: ProxyChoice | undefined,
  system: Promise<Evidence>,
  dispatcher: ReturnType<typeof makeDispatcher>,
  budget: AbortSignal,
  tokenSource: TokenSource | undefined,
): Promise<void> {
  const exchangeData = { url: `https://${host}/oauth2/exchange` };
  if (!proxy && (await system).status !== 'pass') {
    recorder.skip('v2', 'v2', { url: `https://${host}/v2/` }, 'skip.dns-failed');
    recorder.skip('token', 'token', { url: `https://${host}/oauth2/token` }, 'skip.dns-failed');
    return void recorder.skip('exchange', 'exchange', exchangeData, tokenSource ? 'skip.dns-failed' : 'skip.no-credentials');
  }
  await Promise.all([
    recorder.run('v2', 'v2', {}, () => probeV2(host, dispatcher, budget)),
    recorder.run('token', 'token', {}, () => probeToken(host, dispatcher, budget)),
    tokenSource
      ? recorder.run('exchange', 'exchange', {}, () => probeExchange(host, dispatcher, budget, tokenSource))
      : recorder.skip('exchange', 'exchange', exchangeData, 'skip.no-credentials'),
  ]);
}
