/** DNS probes: the system resolver (what Docker sees) and direct queries (CNAME chain, rcodes). */
import type { JsonObject } from '../report/types.js';
import { classified, type ClassifiedAddress } from './address.js';
import { queryDns, type DnsResponse, type DnsServer } from './dns-wire.js';
import { errorInfo, isTimeout, type Outcome } from './evidence.js';
import { hostsFilePath, readHostsEntries } from './hosts-file.js';
import { systemLookup } from './system-lookup.js';

const MAX_CNAME_HOPS = 8;

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

/** getaddrinfo, as every ordinary client resolves: hosts file first, then the configured DNS. */
export async function probeSystemResolver(host: string, signal: AbortSignal): Promise<Outcome> {
  const hostsEntries = await readHostsEntries(host);
  const hosts = { hostsFile: hostsFilePath(), hostsEntries: hostsEntries.map((e) => ({ address: e.address, line: e.line })) };
  try {
    const addresses = (await systemLookup(host, signal)).map(classified);
    const source = hostsEntries.length > 0 ? 'hosts' : 'dns';
    return {
      status: 'pass',
      outcome: source === 'hosts' ? 'dns.system.hosts' : 'dns.system.ok',
      data: { ...hosts, source, addresses: addressesJson(addresses) },
    };
  } catch (err) {
    if (isTimeout(err)) return { status: 'fail', outcome: 'dns.system.timeout', data: hosts };
    const info = errorInfo(err);
    const outcome = info.code === 'ENOTFOUND' ? 'dns.system.notfound' : info.code === 'EAI_AGAIN' ? 'dns.system.tempfail' : 'dns.system.error';
    return { status: 'fail', outcome, data: hosts, error: info };
  }
}

interface Chain {
  rcode: string;
  chain: string[];
  addresses: ClassifiedAddress[];
}

/** Follows the CNAME chain from `host`, asking for A and AAAA at every step the server left unanswered. */
async function resolveCnameChain(server: DnsServer, host: string, signal: AbortSignal): Promise<Chain> {
  const chain = [host.toLowerCase()];
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    const current = chain[chain.length - 1]!;
    const [a, aaaa] = await Promise.all([queryDns(server, current, 'A', signal), queryDns(server, current, 'AAAA', signal)]);
    const answers = [...a.answers, ...aaaa.answers];
    let name = current;
    for (let next = cnameOf(answers, name); next && !chain.includes(next); next = cnameOf(answers, name)) {
      chain.push(next);
      name = next;
    }
    const addresses = answers.filter((r) => r.name === name && (r.type === 'A' || r.type === 'AAAA')).map((r) => classified(r.data));
    const rcode = worstRcode(a, aaaa);
    if (addresses.length > 0 || rcode !== 'NOERROR' || name === current) return { rcode, chain, addresses: dedupe(addresses) };
  }
  return { rcode: 'LOOP', chain, addresses: [] };
}

function cnameOf(answers: DnsResponse['answers'], name: string): string | undefined {
  return answers.find((r) => r.type === 'CNAME' && r.name === name)?.data;
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

const RCODE_OUTCOMES: Record<string, string> = {
  SERVFAIL: 'dns.server.servfail',
  REFUSED: 'dns.server.refused',
  LOOP: 'dns.server.loop',
};

/** Direct DNS queries to one server: CNAME chain, A and AAAA, every address classified. */
export async function probeDnsServer(server: DnsServer, host: string, signal: AbortSignal): Promise<Outcome> {
  try {
    const { rcode, chain, addresses } = await resolveCnameChain(server, host, signal);
    const privatelinkIndex = chain.findIndex(isPrivatelinkName);
    const data: JsonObject = {
      rcode,
      chain,
      privatelink: privatelinkIndex >= 0,
      addresses: addressesJson(addresses),
    };
    if (rcode === 'NXDOMAIN') {
      return { status: 'fail', outcome: privatelinkIndex >= 0 ? 'dns.server.nxdomain-privatelink' : 'dns.server.nxdomain', data };
    }
    const failure = RCODE_OUTCOMES[rcode];
    if (failure) return { status: 'fail', outcome: failure, data };
    if (rcode !== 'NOERROR') return { status: 'fail', outcome: 'dns.server.rcode', data };
    if (addresses.length === 0) return { status: 'fail', outcome: 'dns.server.nodata', data };
    return { status: 'pass', outcome: 'dns.server.ok', data };
  } catch (err) {
    if (isTimeout(err)) return { status: 'fail', outcome: 'dns.server.timeout', data: {} };
    const info = errorInfo(err);
    return { status: 'fail', outcome: info.code === 'ECONNREFUSED' ? 'dns.server.unreachable' : 'dns.server.error', data: {}, error: info };
  }
}
