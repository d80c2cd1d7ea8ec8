/**
 * Every outcome a check can have: the codes the probes and the ARM readers produce (a probe's
 * `Outcome` is typed by this table, so a new code is added here or does not compile), each with its
 * text in every language (tested by iterating this table). A transport failure of an HTTP check is
 * `<kind>.transport.<failure>`, worded once for every kind.
 */

/** The HTTP checks whose requests can fail in transport. */
export const HTTP_KINDS = ['v2', 'token', 'exchange', 'data'] as const;

/** How an HTTP request failed in transport (src/engine/probes/http.ts). */
export const TRANSPORT_FAILURES = ['timeout', 'refused', 'dns', 'unreachable', 'tls-name', 'tls-untrusted', 'reset', 'error', 'proxy-denied', 'proxy-auth-required', 'proxy-status', 'proxy-closed'] as const;

export type HttpKind = (typeof HTTP_KINDS)[number];
export type TransportFailureWord = (typeof TRANSPORT_FAILURES)[number];

export type TransportOutcome = `${(typeof HTTP_KINDS)[number]}.transport.${(typeof TRANSPORT_FAILURES)[number]}`;

const NAMED = [
  // arm
  'arm.aks.ok', 'arm.auth-failed', 'arm.error', 'arm.forbidden', 'arm.login-events.none', 'arm.login-events.ok', 'arm.no-credentials', 'arm.not-found',
  'arm.out-of-scope', 'arm.private-dns.ok', 'arm.private-endpoints.none', 'arm.private-endpoints.ok', 'arm.provider.ok', 'arm.registry.not-found',
  'arm.registry.ok', 'arm.replications.ok', 'arm.server-error', 'arm.throttled', 'arm.timeout', 'arm.unauthorized', 'arm.unreachable.dns',
  'arm.unreachable.proxy-auth-required', 'arm.unreachable.proxy-closed', 'arm.unreachable.proxy-denied', 'arm.unreachable.proxy-dns',
  'arm.unreachable.proxy-refused', 'arm.unreachable.proxy-status', 'arm.unreachable.proxy-timeout', 'arm.unreachable.proxy-unreachable',
  'arm.unreachable.refused', 'arm.unreachable.reset', 'arm.unreachable.timeout', 'arm.unreachable.tls', 'arm.unreachable.unreachable',
  // data
  'data.denied', 'data.dns-failed', 'data.dns-timeout', 'data.reachable',
  // dns
  'dns.consistency.differs', 'dns.consistency.hosts-differs', 'dns.consistency.same', 'dns.server.chain-too-long', 'dns.server.error',
  'dns.server.loop', 'dns.server.no-route', 'dns.server.nodata', 'dns.server.nxdomain', 'dns.server.nxdomain-privatelink', 'dns.server.ok',
  'dns.server.rcode', 'dns.server.refused', 'dns.server.servfail', 'dns.server.timeout', 'dns.server.unreachable', 'dns.system.chain-too-long',
  'dns.system.error', 'dns.system.hosts', 'dns.system.lookup-timeout', 'dns.system.loop', 'dns.system.no-route', 'dns.system.nodata',
  'dns.system.notfound', 'dns.system.nxdomain', 'dns.system.nxdomain-privatelink', 'dns.system.ok', 'dns.system.rcode', 'dns.system.refused',
  'dns.system.servfail', 'dns.system.slow', 'dns.system.tempfail', 'dns.system.timeout', 'dns.system.unreachable', 'dns.system.unresolved',
  // exchange
  'exchange.denied', 'exchange.forbidden', 'exchange.no-token', 'exchange.ok', 'exchange.throttled', 'exchange.unauthorized', 'exchange.unexpected',
  'exchange.unreachable.dns', 'exchange.unreachable.proxy-auth-required', 'exchange.unreachable.proxy-closed', 'exchange.unreachable.proxy-denied',
  'exchange.unreachable.proxy-dns', 'exchange.unreachable.proxy-refused', 'exchange.unreachable.proxy-status', 'exchange.unreachable.proxy-timeout',
  'exchange.unreachable.proxy-unreachable', 'exchange.unreachable.refused', 'exchange.unreachable.reset', 'exchange.unreachable.timeout',
  'exchange.unreachable.tls', 'exchange.unreachable.unreachable',
  // probe
  'probe.internal',
  // proxy
  'proxy.auth-required', 'proxy.denied', 'proxy.dns', 'proxy.eof', 'proxy.error', 'proxy.ok', 'proxy.refused', 'proxy.status', 'proxy.timeout',
  // skip
  'skip.arm-disabled', 'skip.arm-mode-none', 'skip.arm-no-credentials', 'skip.arm-no-scope', 'skip.arm-not-signed-in', 'skip.arm-registry-failed',
  'skip.dns-failed', 'skip.no-connection', 'skip.no-credentials', 'skip.no-dns-server', 'skip.no-private-endpoints', 'skip.no-private-zones',
  'skip.no-workspace', 'skip.proxy-failed', 'skip.same-subscription',
  // tcp
  'tcp.error', 'tcp.ok', 'tcp.refused', 'tcp.timeout', 'tcp.unreachable',
  // tls
  'tls.error', 'tls.expired', 'tls.invalid', 'tls.name-mismatch', 'tls.ok', 'tls.reset', 'tls.timeout', 'tls.untrusted',
  // token
  'token.anonymous', 'token.auth-required', 'token.denied', 'token.forbidden', 'token.throttled', 'token.unexpected',
  // v2
  'v2.anonymous', 'v2.challenge', 'v2.denied', 'v2.forbidden', 'v2.no-challenge', 'v2.throttled', 'v2.unexpected',
] as const;

export type OutcomeCode = (typeof NAMED)[number] | TransportOutcome;

/** The whole table, transport failures spelt out. */
export const OUTCOME_CODES: readonly OutcomeCode[] = [...NAMED, ...HTTP_KINDS.flatMap((kind) => TRANSPORT_FAILURES.map((failure): TransportOutcome => `${kind}.transport.${failure}`))];

/** What follows `prefix.` in the outcome codes that begin with it: `SuffixOf<'dns.server'>` is `ok`, `nxdomain`… */
export type SuffixOf<P extends string> = OutcomeCode extends infer C ? (C extends `${P}.${infer S}` ? S : never) : never;

/** What one DNS server's answer says, worded the same for the system resolver and a server asked directly. */
export type DnsAnswerResult = SuffixOf<'dns.server'> & SuffixOf<'dns.system'>;
