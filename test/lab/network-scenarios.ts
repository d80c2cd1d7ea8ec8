/**
 * Scenarios for the network classes where a diagnosis is easily wrong (issue 11): resolvers that
 * refuse, fail or stay silent; CNAME loops and chains longer than resolvers follow; SYNs dropped
 * (into the lab's discard device); a private record left pointing at an address with no NIC; a
 * proxy asking for credentials; a server that completes TLS and never answers.
 */
import { DROPPED_ADDRESSES as D, LAB_ADDRESSES as A } from './addresses.js';
import { LAB_PROXY_CREDENTIALS, PROXY_PORT } from './proxies.js';
import { a, cname, longChain, privateChain, publicChain } from './records.js';
import type { Scenario } from './scenarios.js';

/** The authenticating squid, with the credentials (userinfo) a client puts in HTTPS_PROXY, if any. */
const authProxy = (user?: string, password?: string): string =>
  `http://${user === undefined ? '' : `${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@`}${A.authSquid}:${PROXY_PORT}`;
/** What a fix for a proxy asking for credentials should show: where they go, not what they are. */
const AUTH_PROXY_PLACEHOLDER = `<user>:<password>@${A.authSquid}:${PROXY_PORT}`;
/** A data endpoint of the registry, in the region the lab stages. */
const dataEndpoint = (name: string): string => `${name}.westeurope.data.azurecr.io`;

export const NETWORK_SCENARIOS: Scenario[] = [
  {
    name: 'DNS resolver refuses (port unreachable): said at once, not NXDOMAIN',
    registry: 'refuseddnsreg',
    nameserver: A.refusingDns,
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'dns-resolver-refused',
      cause: 'vnet-or-private-endpoint',
      exchange: 'skip.dns-failed',
      checks: { 'dns.system': 'dns.system.unreachable', [`dns.server:${A.refusingDns}`]: 'dns.server.unreachable' },
      quick: ['dns.system', `dns.server:${A.refusingDns}`],
      quickReport: true,
      mentions: A.refusingDns,
    },
  },
  {
    name: "no route to the DNS server (a VPN's resolver left behind): said at once, no crash",
    registry: 'noroutednsreg',
    // TEST-NET-1: no route to it inside the lab's namespace, as to a VPN's DNS server after disconnecting.
    nameserver: '192.0.2.53',
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'dns-resolver-no-route',
      cause: 'vnet-or-private-endpoint',
      exchange: 'skip.dns-failed',
      checks: { 'dns.system': 'dns.system.no-route', 'dns.server:192.0.2.53': 'dns.server.no-route' },
      quick: ['dns.system', 'dns.server:192.0.2.53'],
      quickReport: true,
      mentions: '192.0.2.53',
    },
  },
  {
    name: 'DNS resolver answers SERVFAIL for the registry',
    registry: 'servfailreg',
    dnsFailures: { 'servfailreg.azurecr.io': 'servfail' },
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'dns-resolver-servfail',
      exchange: 'skip.dns-failed',
      checks: { 'dns.system': 'dns.system.servfail', [`dns.server:${A.dns}`]: 'dns.server.servfail' },
      quick: ['dns.system', `dns.server:${A.dns}`],
      mentions: A.dns,
    },
  },
  {
    name: 'lossy link: the first copy of every DNS query is lost; the system resolver gives up, a query sent again is answered',
    registry: 'lossydnsreg',
    records: publicChain('lossydnsreg', A.registry),
    dnsFailures: { 'lossydnsreg.azurecr.io': 'lossy' },
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'dns-resolver-slow',
      cause: 'vnet-or-private-endpoint',
      exchange: 'skip.dns-failed',
      checks: { 'dns.system': 'dns.system.slow', [`dns.server:${A.dns}`]: 'dns.server.ok' },
      mentions: A.dns,
    },
  },
  {
    name: 'CNAME loop: the registry name and its privatelink alias point at each other',
    registry: 'loopreg',
    records: { 'loopreg.azurecr.io': cname('loopreg.privatelink.azurecr.io'), 'loopreg.privatelink.azurecr.io': cname('loopreg.azurecr.io') },
    expect: { exit: 1, verdict: 'problem', rule: 'dns-cname-loop', exchange: 'skip.dns-failed', checks: { [`dns.server:${A.dns}`]: 'dns.server.loop' } },
  },
  {
    name: 'CNAME chain of 20: longer than resolvers follow',
    registry: 'longchainreg',
    records: longChain('longchainreg', 20, A.registry),
    expect: { exit: 1, verdict: 'problem', rule: 'dns-cname-loop', exchange: 'skip.dns-failed', checks: { [`dns.server:${A.dns}`]: 'dns.server.chain-too-long' } },
  },
  {
    name: 'every SYN to the registry is dropped: the TCP check waits for the deadline',
    registry: 'droppedreg',
    records: { 'droppedreg.azurecr.io': a(D.registry) },
    args: ['--timeout', '4'],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'connection-blackholed',
      cause: 'client-firewall-or-proxy',
      checks: { [`tcp:${D.registry}`]: 'tcp.timeout' },
      waitsForDeadline: [`tcp:${D.registry}`],
    },
  },
  {
    name: 'two addresses, one drops every SYN: TLS runs on the one that connects, at once, not after the deadline',
    registry: 'halfdroppedreg',
    behaviour: 'healthy',
    records: { 'halfdroppedreg.azurecr.io': [...a(D.registry), ...a(A.registry)] },
    args: ['--timeout', '4'],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'some-addresses-fail',
      cause: 'client-firewall-or-proxy',
      checks: { [`tcp:${D.registry}`]: 'tcp.timeout', [`tcp:${A.registry}`]: 'tcp.ok', tls: 'tls.ok', v2: 'v2.challenge' },
      quick: ['tls'],
      waitsForDeadline: [`tcp:${D.registry}`],
    },
  },
  {
    name: 'TLS completes, the HTTP request is never answered',
    registry: 'stalledreg',
    records: { 'stalledreg.azurecr.io': a(A.stalled) },
    args: ['--timeout', '3'],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'request-stalled',
      cause: 'client-firewall-or-proxy',
      checks: { [`tcp:${A.stalled}`]: 'tcp.ok', tls: 'tls.ok', v2: 'v2.transport.timeout' },
      // The path works up to the HTTP request: not the dropped-packets explanation.
      notInText: ['dropped on the way'],
    },
  },
  {
    name: 'proxy demands credentials, none given (squid 407)',
    registry: 'proxyauthreg',
    behaviour: 'healthy',
    records: { ...publicChain('proxyauthreg', A.registry), [dataEndpoint('proxyauthreg')]: a(A.dataEndpoint) },
    proxy: authProxy(),
    args: ['--data-endpoint', dataEndpoint('proxyauthreg')],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'proxy-auth-required',
      cause: 'client-firewall-or-proxy',
      proxyAnswered: '407',
      checks: {
        proxy: 'proxy.auth-required',
        v2: 'v2.transport.proxy-auth-required',
        token: 'token.transport.proxy-auth-required',
        [`data:${dataEndpoint('proxyauthreg')}`]: 'data.transport.proxy-auth-required',
      },
      commandMentions: [AUTH_PROXY_PLACEHOLDER],
      notInText: ['403'],
    },
  },
  {
    name: 'proxy refuses wrong credentials (squid 407)',
    registry: 'proxybadauthreg',
    behaviour: 'healthy',
    records: publicChain('proxybadauthreg', A.registry),
    proxy: authProxy(LAB_PROXY_CREDENTIALS.user, 'not-the-password'),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'proxy-auth-required',
      cause: 'client-firewall-or-proxy',
      proxyAnswered: '407',
      checks: { proxy: 'proxy.auth-required', v2: 'v2.transport.proxy-auth-required', token: 'token.transport.proxy-auth-required' },
      commandMentions: [AUTH_PROXY_PLACEHOLDER],
      notInText: ['403'],
    },
  },
  {
    name: 'healthy registry through a proxy that takes the right credentials (squid)',
    registry: 'proxyauthedreg',
    behaviour: 'healthy',
    records: publicChain('proxyauthedreg', A.registry),
    proxy: authProxy(LAB_PROXY_CREDENTIALS.user, LAB_PROXY_CREDENTIALS.password),
    expect: { exit: 0, verdict: 'healthy', checks: { proxy: 'proxy.ok', v2: 'v2.challenge', token: 'token.auth-required' } },
  },
  {
    name: "private DNS drift: the login server's private record is stale (SYNs dropped), the data endpoint's answers",
    registry: 'driftreg',
    behaviour: 'healthy',
    records: privateChain('driftreg', D.staleLoginServer, A.privateDataEndpoint),
    args: ['--timeout', '4', '--data-endpoint', dataEndpoint('driftreg')],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'private-record-stale',
      cause: 'vnet-or-private-endpoint',
      checks: { [`tcp:${D.staleLoginServer}`]: 'tcp.timeout', [`data:${dataEndpoint('driftreg')}`]: 'data.reachable' },
      mentions: D.staleLoginServer,
      commandAny: ['az network private-dns record-set a show', 'private-endpoint'],
      notInFixes: ['firewall'],
    },
  },
  {
    name: "private DNS drift: the data endpoint's private record is stale (SYNs dropped), the login server's answers",
    registry: 'driftdatareg',
    behaviour: 'healthy',
    records: privateChain('driftdatareg', A.privateLoginServer, D.staleDataEndpoint),
    args: ['--timeout', '4', '--data-endpoint', dataEndpoint('driftdatareg')],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'private-record-stale',
      cause: 'vnet-or-private-endpoint',
      checks: { [`tcp:${A.privateLoginServer}`]: 'tcp.ok', v2: 'v2.challenge', [`data:${dataEndpoint('driftdatareg')}`]: 'data.transport.timeout' },
      mentions: D.staleDataEndpoint,
      commandAny: ['az network private-dns record-set a show', 'private-endpoint'],
      notInFixes: ['firewall'],
    },
  },
];
