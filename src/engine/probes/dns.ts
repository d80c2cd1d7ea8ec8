/** DNS probes: the system resolver (what Docker sees) and direct queries (CNAME chain, rcodes). */
import type { JsonObject } from '../report/types.js';
import { classified, type ClassifiedAddress } from './address.js';
import { formatDnsServer, queryDns, type DnsResponse, type DnsServer } from './dns-wire.js';
import { errorInfo } from '../net/errors.js';
import { isTimeout } from '../net/deadlines.js';
import { type Outcome } from './evidence.js';
import { hostsFilePath, readHostsEntries } from './hosts-file.js';
import { systemLookup } from './system-lookup.js';
import type { DnsAnswerResult } from './outcomes.js';

export interface ResolvedName {
  addresses: ClassifiedAddress[];
}

export function addressesJson(addresses: ClassifiedAddress[]): JsonObject[] {
  return addresses.map((a) => ({ address: a.address, family: a.family, class: a.class }));
}

export function addressesOf(data: JsonObject): string[] {
  const list = data.addresses;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.address === 'string' ? [entry.address] : [],
  );
}

/** The servers the system resolver asks (resolv.conf), and the run's shared chain resolver. */
export interface SystemResolverOptions {
  servers: DnsServer[];
  resolve: ChainResolver;
  /** This machine's hosts file, as the front found it (Windows keeps it under %SystemRoot%). */
  hostsFile?: string;
}

/**
 * getaddrinfo, as every ordinary client resolves: hosts file first, then the configured DNS.
 * getaddrinfo says only that it found nothing (getent exits 2 for NXDOMAIN, no data and a failed
 * resolver alike), so the system's own servers are asked directly beside it: their answers say
 * why, and a resolver that refuses is known at once rather than at the deadline.
 */
export async function probeSystemResolver(host: string, signal: AbortSignal, options: SystemResolverOptions = { servers: [], resolve: resolveCnameChain }): Promise<Outcome> {
  const hostsFile = options.hostsFile ?? hostsFilePath();
  const hostsEntries = await readHostsEntries(host, hostsFile);
  const hosts = { hostsFile, hostsEntries: hostsEntries.map((e) => ({ address: e.address, line: e.line })) };
  const lookupControl = new AbortController();
  const stopLookup = (): void => lookupControl.abort(signal.reason);
  signal.addEventListener('abort', stopLookup, { once: true });
  const direct = Promise.all(options.servers.map((server) => askServer(options.resolve, server, host, signal)));
  const lookup = systemLookup(host, lookupControl.signal).then(
    (addresses) => ({ addresses }),
    (err: unknown) => ({ err }),
  );
  // Without a hosts entry, getaddrinfo can only fail when every server the system asks has failed.
  const certainFailure = hostsEntries.length > 0 ? new Promise<never>(() => undefined) : direct.then((answers) => (systemFailure(answers) ? { answers } : new Promise<never>(() => undefined)));
  try {
    const first = await Promise.race([lookup, certainFailure]);
    if ('addresses' in first) {
      const source = hostsEntries.length > 0 ? 'hosts' : 'dns';
      const addresses = first.addresses.map(classified);
      return { status: 'pass', outcome: source === 'hosts' ? 'dns.system.hosts' : 'dns.system.ok', data: { ...hosts, source, addresses: addressesJson(addresses) } };
    }
    const answers = 'answers' in first ? first.answers : await direct;
    const explained = systemFailure(answers) ?? (answers.length > 0 ? readAnswer(answers[0]!) : undefined);
    if (explained) {
      // The servers have addresses, yet getaddrinfo found none: in time (lost or slow answers), or at all (its configuration).
      const timedOut = 'err' in first && isTimeout(first.err);
      const result = explained.result === 'ok' ? (timedOut ? 'slow' : 'unresolved') : explained.result;
      return { status: 'fail', outcome: `dns.system.${result}`, data: { ...hosts, ...explained.data }, ...(explained.error ? { error: explained.error } : {}) };
    }
    const err = 'err' in first ? first.err : undefined;
    if (isTimeout(err)) return { status: 'fail', outcome: 'dns.system.lookup-timeout', data: hosts };
    const info = errorInfo(err);
    return { status: 'fail', outcome: info.code === 'EAI_AGAIN' ? 'dns.system.tempfail' : 'dns.system.notfound', data: hosts, error: info };
  } finally {
    signal.removeEventListener('abort', stopLookup);
    lookupControl.abort();
  }
}

/**
 * Why getaddrinfo finds nothing, from the servers' own answers, read as the resolver reads them:
 * the first server that answers for the name decides; one that fails (silent, closed, SERVFAIL,
 * REFUSED) hands over to the next. Undefined when a server has addresses for the name.
 */
export function systemFailure(answers: ServerAnswer[]): ReturnType<typeof readAnswer> | undefined {
  const read = answers.map(readAnswer);
  const decisive = read.find((r) => !HANDS_OVER.has(r.result));
  if (decisive) return decisive.result === 'ok' ? undefined : decisive;
  return read[0];
}

/** Answers after which a resolver tries its next server. */
const HANDS_OVER = new Set<DnsAnswerResult>(['timeout', 'unreachable', 'no-route', 'error', 'servfail', 'refused', 'rcode']);

export interface Chain {
  /** The answer's code, or LOOP / TOO_LONG when the CNAME chain itself is broken. */
  rcode: string;
  chain: string[];
  addresses: ClassifiedAddress[];
}

/** Resolvers give up on longer CNAME chains (BIND and Unbound stop at 16 and 11 restarts); we follow no further. */
export const MAX_CHAIN_NAMES = 16;

/** Follows the CNAME chain from `host`, asking for A and AAAA at every step the server left unanswered. */
export async function resolveCnameChain(server: DnsServer, host: string, signal: AbortSignal): Promise<Chain> {
  const chain = [host.toLowerCase()];
  for (;;) {
    const current = chain[chain.length - 1]!;
    const [a, aaaa] = await bothFamilies(server, current, signal);
    const answers = [...a.answers, ...aaaa.answers];
    let name = current;
    for (let next = cnameOf(answers, name); next; next = cnameOf(answers, name)) {
      if (chain.includes(next)) return { rcode: 'LOOP', chain: [...chain, next], addresses: [] };
      chain.push(next);
      if (chain.length > MAX_CHAIN_NAMES) return { rcode: 'TOO_LONG', chain, addresses: [] };
      name = next;
    }
    const addresses = answers.filter((r) => r.name === name && (r.type === 'A' || r.type === 'AAAA')).map((r) => classified(r.data));
    const rcode = worstRcode(a, aaaa);
    if (addresses.length > 0 || rcode !== 'NOERROR' || name === current) return { rcode, chain, addresses: dedupe(addresses) };
  }
}

/** One chain resolution per server and name in a run, shared by every probe that needs it. */
export type ChainResolver = (server: DnsServer, host: string, signal: AbortSignal) => Promise<Chain>;

export function sharedChainResolver(): ChainResolver {
  const runs = new Map<string, Promise<Chain>>();
  return (server, host, signal) => {
    const key = `${formatDnsServer(server)}|${host.toLowerCase()}`;
    let run = runs.get(key);
    if (!run) runs.set(key, (run = resolveCnameChain(server, host, signal)));
    return run;
  };
}

function cnameOf(answers: DnsResponse['answers'], name: string): string | undefined {
  return answers.find((r) => r.type === 'CNAME' && r.name === name)?.data;
}

/**
 * A and AAAA, each judged on its own as getaddrinfo does: a server that answers A but fails or
 * ignores AAAA (DNS firewalls and old forwarders do) still resolves the name. Only when neither
 * family answers does the failure stand.
 */
async function bothFamilies(server: DnsServer, name: string, signal: AbortSignal): Promise<[DnsResponse, DnsResponse]> {
  const settled = await Promise.allSettled([queryDns(server, name, 'A', signal), queryDns(server, name, 'AAAA', signal)]);
  const answered = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const withRecords = answered.filter((r) => r.answers.length > 0);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed && withRecords.length === 0) throw failed.reason;
  const kept = withRecords.length > 0 ? withRecords : answered;
  return [kept[0]!, kept[1] ?? { rcode: 'NOERROR', answers: [] }];
}

function worstRcode(a: DnsResponse, aaaa: DnsResponse): string {
  return a.rcode !== 'NOERROR' ? a.rcode : aaaa.rcode;
}

function dedupe(addresses: ClassifiedAddress[]): ClassifiedAddress[] {
  const seen = new Set<string>();
  return addresses.filter((a) => !seen.has(a.address) && seen.add(a.address));
}

export function isPrivatelinkName(name: string): boolean {
  return name.split('.').includes('privatelink');
}

/** What one server made of the name: its chain, or how it failed to answer. */
export type ServerAnswer = { server: DnsServer; chain: Chain } | { server: DnsServer; failure: 'timeout' | 'unreachable' | 'no-route' | 'error'; error?: { code: string; message: string } };

/** Asks one server, turning network failures into answers: silence, a closed port, anything else. */
export async function askServer(resolve: ChainResolver, server: DnsServer, host: string, signal: AbortSignal): Promise<ServerAnswer> {
  try {
    return { server, chain: await resolve(server, host, signal) };
  } catch (err) {
    if (isTimeout(err)) return { server, failure: 'timeout' };
    const info = errorInfo(err);
    return { server, failure: PORT_CLOSED.has(info.code) ? 'unreachable' : NO_ROUTE.has(info.code) ? 'no-route' : 'error', error: info };
  }
}

/** A closed port answers at once: ICMP port unreachable on UDP, a reset on TCP. */
const PORT_CLOSED = new Set(['ECONNREFUSED', 'ECONNRESET']);
/** No way to the server at all: offline, or a server of a network this machine is no longer on. */
const NO_ROUTE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN', 'EAFNOSUPPORT']);

const RCODE_OUTCOMES: Record<string, DnsAnswerResult> = {
  SERVFAIL: 'servfail',
  REFUSED: 'refused',
  LOOP: 'loop',
  TOO_LONG: 'chain-too-long',
};

/** The outcome suffix and data of one server's answer: `ok`, `nxdomain`, `servfail`, `timeout`… */
export function readAnswer(answer: ServerAnswer): { result: DnsAnswerResult; data: JsonObject; error?: { code: string; message: string } } {
  const server = formatDnsServer(answer.server);
  if ('failure' in answer) return { result: answer.failure, data: { server }, ...(answer.error ? { error: answer.error } : {}) };
  const { rcode, chain, addresses } = answer.chain;
  const privatelink = chain.some(isPrivatelinkName);
  const data: JsonObject = { server, rcode, chain, privatelink, addresses: addressesJson(addresses) };
  if (rcode === 'NXDOMAIN') return { result: privatelink ? 'nxdomain-privatelink' : 'nxdomain', data };
  const failure = RCODE_OUTCOMES[rcode];
  if (failure) return { result: failure, data };
  if (rcode !== 'NOERROR') return { result: 'rcode', data };
  return { result: addresses.length === 0 ? 'nodata' : 'ok', data };
}

/** Direct DNS queries to one server: CNAME chain, A and AAAA, every address classified. */
export async function probeDnsServer(server: DnsServer, host: string, signal: AbortSignal, resolve: ChainResolver = resolveCnameChain): Promise<Outcome> {
  const { result, data, error } = readAnswer(await askServer(resolve, server, host, signal));
  return { status: result === 'ok' ? 'pass' : 'fail', outcome: `dns.server.${result}`, data, ...(error ? { error } : {}) };
}
