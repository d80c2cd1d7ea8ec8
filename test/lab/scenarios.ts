/**
 * The lab's scenarios as data: the world each one stages (DNS records, hosts file, resolver,
 * proxy, registry behaviour) and what acr-check must conclude. The same table drives the tests.
 */
import { CLIENT_EGRESS_IP, LAB_ADDRESSES as A, UNROUTED_PRIVATE_ENDPOINT } from './addresses.js';
import type { RegistryBehaviour } from './acr-front.js';
import type { Behaviour, LabRecord } from './dns-server.js';
import { LAB_AUTHORITY_HOST, LAB_PRINCIPALS, LAB_TENANT } from './fake-entra.js';
import { LAB_WORKSPACE, type StagedLoginFailure } from './fake-log-analytics.js';
import { ARM_HOST, LAB_SUBSCRIPTION, OTHER_SUBSCRIPTION, registryId, zoneResourceGroup, type ArmRegistryFixture } from './fake-arm.js';
import { NETWORK_SCENARIOS } from './network-scenarios.js';
import { AKS_SCENARIOS } from './aks-scenarios.js';
import { PROXY_PORT } from './proxies.js';
import { a, cname, publicChain } from './records.js';
import type { CliWorld } from './run-cli.js';

export interface Expectation {
  exit: number;
  verdict: 'healthy' | 'problem' | 'inconclusive';
  rule?: string;
  cause?: string;
  /** A command among the top finding's fixes, filled in for this registry. */
  command?: string;
  /** Text in the top finding's title. */
  title?: string;
  /** The outcome the token exchange must have (scenarios with an identity). */
  exchange?: string;
  /** The outcome the ARM registry check must have; by default what the identity and fixture imply. */
  arm?: string;
  /** Outcomes of particular checks, by check id: they show the world was staged as meant. */
  checks?: Record<string, string>;
  /** Checks that must end within a third of the budget: a failure known at once is said at once. */
  quick?: string[];
  /** The whole report out within a third of the budget. */
  quickReport?: boolean;
  /** Checks that must wait until the deadline, less only the room to report (budget − 1.5 s at least). */
  waitsForDeadline?: string[];
  /** Text in the top finding's title or explanation. */
  mentions?: string;
  /** Texts each found in some command of the top finding. */
  commandMentions?: string[];
  /** At least one of these texts in some command of the top finding. */
  commandAny?: string[];
  /** Texts no fix of the top finding may contain, in its title or commands. */
  notInFixes?: string[];
  /** Texts the top finding's title and explanation may not contain. */
  notInText?: string[];
  /** What the proxy answered (403, 407, EOF): every check that went through it says so, none a timeout. */
  proxyAnswered?: string;
}

export interface Scenario {
  name: string;
  registry: string;
  behaviour?: RegistryBehaviour;
  records?: Record<string, LabRecord[]>;
  /** Names the lab's DNS server fails for, as staged (SERVFAIL, REFUSED). */
  dnsFailures?: Record<string, Behaviour>;
  nameserver?: string;
  hosts?: string[];
  proxy?: string;
  /** The Azure identity in the client's environment, if any. */
  identity?: keyof typeof LAB_PRINCIPALS;
  /** The registry as the lab's ARM describes it. */
  arm?: ArmRegistryFixture;
  /** Failed logins in the registry's resource logs (read with --workspace). */
  loginFailures?: StagedLoginFailure[];
  args?: string[];
  expect: Expectation;
}

const proxy = (address: string): string => `http://${address}:${PROXY_PORT}`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthy registry',
    registry: 'healthyreg',
    behaviour: 'healthy',
    records: publicChain('healthyreg', A.registry),
    expect: { exit: 0, verdict: 'healthy' },
  },
  {
    name: 'NXDOMAIN: the registry name does not exist',
    registry: 'nosuchreg1',
    expect: { exit: 1, verdict: 'problem', rule: 'dns-nxdomain', cause: 'registry-not-found', command: 'az acr show --name nosuchreg1 --query loginServer --output tsv', exchange: 'skip.dns-failed' },
  },
  {
    name: 'DNS timeout: the resolver never answers',
    registry: 'timeoutreg',
    nameserver: A.deadDns,
    args: ['--timeout', '3'],
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'dns-resolver-silent',
      cause: 'vnet-or-private-endpoint',
      exchange: 'skip.dns-failed',
      checks: { 'dns.system': 'dns.system.timeout', [`dns.server:${A.deadDns}`]: 'dns.server.timeout' },
      mentions: A.deadDns,
      commandMentions: ['timeoutreg.azurecr.io'],
    },
  },
  {
    name: 'privatelink CNAME to a private address, client outside the VNet',
    registry: 'pereg',
    records: { 'pereg.azurecr.io': cname('pereg.privatelink.azurecr.io'), 'pereg.privatelink.azurecr.io': a(UNROUTED_PRIVATE_ENDPOINT) },
    expect: { exit: 1, verdict: 'problem', rule: 'private-address-unreachable', cause: 'vnet-or-private-endpoint', title: UNROUTED_PRIVATE_ENDPOINT },
  },
  {
    name: 'NXDOMAIN after the privatelink CNAME: private zone without the record',
    registry: 'pezonereg',
    records: { 'pezonereg.azurecr.io': cname('pezonereg.privatelink.azurecr.io') },
    expect: { exit: 1, verdict: 'problem', rule: 'dns-privatelink-nxdomain', cause: 'vnet-or-private-endpoint', title: 'pezonereg.privatelink.azurecr.io', exchange: 'skip.dns-failed' },
  },
  {
    name: 'hosts file pins a stale address',
    registry: 'stalereg',
    behaviour: 'healthy',
    records: publicChain('stalereg', A.registry),
    hosts: [`${A.stale} stalereg.azurecr.io`],
    expect: { exit: 1, verdict: 'problem', rule: 'hosts-file-override', cause: 'vnet-or-private-endpoint', title: A.stale, command: "grep -n 'stalereg.azurecr.io' /etc/hosts" },
  },
  {
    name: 'connection refused',
    registry: 'refusedreg',
    records: { 'refusedreg.azurecr.io': a(A.refusing) },
    expect: { exit: 1, verdict: 'problem', rule: 'connection-refused', cause: 'client-firewall-or-proxy' },
  },
  {
    name: 'black hole: accepted, never answered',
    registry: 'blackholereg',
    records: { 'blackholereg.azurecr.io': a(A.blackHole) },
    args: ['--timeout', '3'],
    expect: { exit: 1, verdict: 'problem', rule: 'connection-blackholed', cause: 'client-firewall-or-proxy' },
  },
  {
    name: 'TLS certificate for another name',
    registry: 'mismatchreg',
    records: { 'mismatchreg.azurecr.io': a(A.wrongCertificate) },
    expect: { exit: 1, verdict: 'problem', rule: 'tls-name-mismatch', cause: 'client-firewall-or-proxy', title: 'gateway.contoso-firewall.example' },
  },
  {
    name: 'TLS-intercepting proxy',
    registry: 'inspectedreg',
    behaviour: 'healthy',
    records: publicChain('inspectedreg', A.registry),
    proxy: proxy(A.interceptingProxy),
    expect: { exit: 1, verdict: 'problem', rule: 'tls-intercepted', cause: 'client-firewall-or-proxy', title: 'Contoso TLS Inspection CA' },
  },
  {
    name: '403 DENIED names the client IP',
    registry: 'deniedreg',
    behaviour: 'denied',
    records: publicChain('deniedreg', A.registry),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'public-access-denied',
      cause: 'public-network-rules',
      command: `az acr network-rule add --name deniedreg --ip-address ${CLIENT_EGRESS_IP}`,
    },
  },
  {
    name: 'proxy answers CONNECT with 403 (squid)',
    registry: 'proxydeniedreg',
    behaviour: 'healthy',
    records: publicChain('proxydeniedreg', A.registry),
    proxy: proxy(A.squid),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'proxy-denied',
      cause: 'client-firewall-or-proxy',
      title: '403',
      proxyAnswered: '403',
      checks: { proxy: 'proxy.denied', v2: 'v2.transport.proxy-denied', token: 'token.transport.proxy-denied' },
      commandMentions: [`${A.squid}:${PROXY_PORT}`],
    },
  },
  {
    name: 'healthy registry through a proxy that allows it (squid)',
    registry: 'proxiedreg',
    behaviour: 'healthy',
    records: publicChain('proxiedreg', A.registry),
    proxy: proxy(A.squid),
    expect: { exit: 0, verdict: 'healthy' },
  },
  {
    name: 'proxy closes the connection (EOF)',
    registry: 'eofreg',
    behaviour: 'healthy',
    records: publicChain('eofreg', A.registry),
    proxy: proxy(A.eofProxy),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'proxy-closed',
      cause: 'client-firewall-or-proxy',
      proxyAnswered: 'EOF',
      checks: { proxy: 'proxy.eof', v2: 'v2.transport.proxy-closed', token: 'token.transport.proxy-closed' },
      commandMentions: [`${A.eofProxy}:${PROXY_PORT}`],
    },
  },
  {
    name: '429 on the token endpoint',
    registry: 'throttledreg',
    behaviour: 'throttled-token',
    records: publicChain('throttledreg', A.registry),
    expect: { exit: 1, verdict: 'problem', rule: 'throttled', cause: 'throttled', title: '17' },
  },
  {
    name: 'healthy with an Azure identity: the token exchange succeeds',
    registry: 'healthyreg',
    behaviour: 'healthy',
    identity: 'allowed',
    expect: { exit: 0, verdict: 'healthy', exchange: 'exchange.ok' },
  },
  {
    name: 'token exchange refuses the identity: authentication, not the network',
    registry: 'authreg',
    behaviour: 'healthy',
    records: publicChain('authreg', A.registry),
    identity: 'rejected',
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'exchange-unauthorized',
      cause: 'authentication',
      exchange: 'exchange.unauthorized',
      title: LAB_PRINCIPALS.rejected.clientId,
      command: `az role assignment create --assignee ${LAB_PRINCIPALS.rejected.clientId} --role AcrPull --scope $(az acr show --name authreg --query id --output tsv)`,
    },
  },
  {
    name: 'token exchange denied by network rules: the firewall, not authentication',
    registry: 'deniedreg',
    behaviour: 'denied',
    identity: 'allowed',
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'public-access-denied',
      cause: 'public-network-rules',
      title: CLIENT_EGRESS_IP,
      exchange: 'exchange.denied',
      commandMentions: [CLIENT_EGRESS_IP],
    },
  },
  {
    name: 'a data endpoint is blocked while the login server works',
    registry: 'datareg',
    behaviour: 'healthy',
    records: {
      ...publicChain('datareg', A.registry),
      'datareg.westeurope.data.azurecr.io': a(A.dataEndpoint),
      'datareg.eastus.data.azurecr.io': a(A.blackHole),
    },
    args: ['--timeout', '3', '--data-endpoint', 'datareg.westeurope.data.azurecr.io', '--data-endpoint', 'datareg.eastus.data.azurecr.io'],
    expect: { exit: 1, verdict: 'problem', rule: 'data-endpoint-blocked', cause: 'client-firewall-or-proxy', title: 'datareg.eastus.data.azurecr.io' },
  },
];

/** The environment that gives the client an Azure identity at the lab's Entra authority. */
export function identityEnv(identity: keyof typeof LAB_PRINCIPALS | undefined): Record<string, string> {
  if (!identity) return {};
  const principal = LAB_PRINCIPALS[identity];
  return {
    AZURE_CLIENT_ID: principal.clientId,
    AZURE_CLIENT_SECRET: principal.secret,
    AZURE_TENANT_ID: LAB_TENANT,
    AZURE_AUTHORITY_HOST: `https://${LAB_AUTHORITY_HOST}`,
  };
}

/** The registry's name, whether the scenario gives a name or a resource id. */
export function registryName(scenario: Scenario): string {
  return scenario.registry.split('/').pop()!.toLowerCase();
}

/** The token exchange's outcome a scenario implies, unless it names another. */
export function expectedExchange(scenario: Scenario): string {
  if (scenario.expect.exchange) return scenario.expect.exchange;
  if (!scenario.identity) return 'skip.no-credentials';
  return scenario.behaviour === 'denied' ? 'exchange.denied' : 'exchange.ok';
}

/** The ARM registry check's outcome a scenario implies, unless it names another. */
export function expectedArm(scenario: Scenario): string {
  if (scenario.expect.arm) return scenario.expect.arm;
  if (!scenario.identity) return 'arm.no-credentials';
  return scenario.arm ? 'arm.registry.ok' : 'arm.registry.not-found';
}

/** What the acr-check process of this scenario sees: hosts file, resolver, proxy, identity. */
export function worldFor(scenario: Scenario, caPath: string): CliWorld {
  return {
    caPath,
    ...(scenario.hosts ? { hosts: scenario.hosts } : {}),
    ...(scenario.nameserver ? { nameserver: scenario.nameserver } : {}),
    // Hosts behind a proxy keep the instance metadata endpoint off it, as Azure's guidance says.
    env: { ...(scenario.proxy ? { HTTPS_PROXY: scenario.proxy, NO_PROXY: '169.254.169.254' } : {}), ...identityEnv(scenario.identity) },
  };
}

const HUNDRED_RULES = Array.from({ length: 100 }, (_, i) => `198.51.${Math.floor(i / 50)}.${(i % 50) + 1}`);

/** Scenarios where the registry's configuration in ARM names the cause. */
export const ARM_SCENARIOS: Scenario[] = [
  {
    name: 'ARM: the client IP ACR saw is not in the IP rules',
    registry: 'armdenied',
    behaviour: 'denied',
    records: publicChain('armdenied', A.registry),
    identity: 'allowed',
    arm: { defaultAction: 'Deny', ipRules: ['198.51.100.0/24', '192.0.2.10'] },
    expect: { exit: 1, verdict: 'problem', rule: 'ip-not-in-rules', cause: 'public-network-rules', command: `az acr network-rule add --name armdenied --ip-address ${CLIENT_EGRESS_IP}`, title: CLIENT_EGRESS_IP },
  },
  {
    name: 'ARM: public access disabled, the client takes the public path',
    registry: 'armprivate',
    behaviour: 'denied',
    records: publicChain('armprivate', A.registry),
    identity: 'allowed',
    arm: { publicNetworkAccess: 'Disabled', privateEndpoint: { dns: { 'armprivate.azurecr.io': '10.0.0.7' }, zone: { records: { armprivate: '10.0.0.7' }, linked: true } } },
    expect: { exit: 1, verdict: 'problem', rule: 'public-access-disabled', cause: 'vnet-or-private-endpoint' },
  },
  {
    name: "ARM: DNS answers a private address that is not the private endpoint's",
    registry: 'armpedns',
    records: { 'armpedns.azurecr.io': cname('armpedns.privatelink.azurecr.io'), 'armpedns.privatelink.azurecr.io': a('10.0.0.9') },
    identity: 'allowed',
    arm: {
      publicNetworkAccess: 'Disabled',
      privateEndpoint: { dns: { 'armpedns.azurecr.io': UNROUTED_PRIVATE_ENDPOINT }, zone: { records: { armpedns: '10.0.0.9' }, linked: true } },
    },
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'pe-dns-mismatch',
      cause: 'vnet-or-private-endpoint',
      exchange: 'exchange.transport.unreachable',
      command: `az network private-dns record-set a add-record --subscription ${LAB_SUBSCRIPTION} --resource-group ${zoneResourceGroup('armpedns')} --zone-name privatelink.azurecr.io --record-set-name armpedns --ipv4-address ${UNROUTED_PRIVATE_ENDPOINT}`,
    },
  },
  {
    name: 'ARM: a replica region has no data-endpoint record in the private zone',
    registry: 'armreplica',
    behaviour: 'healthy',
    records: {
      ...publicChain('armreplica', A.registry),
      'armreplica.westeurope.data.azurecr.io': a(A.dataEndpoint),
      'armreplica.eastus.data.azurecr.io': a(A.dataEndpoint),
    },
    identity: 'allowed',
    arm: {
      replicas: ['eastus'],
      dataEndpoints: ['armreplica.westeurope.data.azurecr.io', 'armreplica.eastus.data.azurecr.io'],
      privateEndpoint: {
        dns: { 'armreplica.azurecr.io': '10.1.0.4', 'armreplica.westeurope.data.azurecr.io': '10.1.0.5', 'armreplica.eastus.data.azurecr.io': '10.1.0.6' },
        zone: { records: { armreplica: '10.1.0.4', 'armreplica.westeurope.data': '10.1.0.5' }, linked: true },
      },
    },
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'replica-data-record-missing',
      cause: 'vnet-or-private-endpoint',
      title: 'eastus',
      command: `az network private-dns record-set a add-record --subscription ${LAB_SUBSCRIPTION} --resource-group ${zoneResourceGroup('armreplica')} --zone-name privatelink.azurecr.io --record-set-name armreplica.eastus.data --ipv4-address 10.1.0.6`,
    },
  },
  {
    name: "ARM: the private zone is not linked to the endpoint's virtual network",
    registry: 'armunlinked',
    behaviour: 'healthy',
    records: publicChain('armunlinked', A.registry),
    identity: 'allowed',
    arm: { privateEndpoint: { dns: { 'armunlinked.azurecr.io': '10.2.0.4' }, zone: { records: { armunlinked: '10.2.0.4', 'armunlinked.westeurope.data': '10.2.0.5' }, linked: false } } },
    expect: { exit: 1, verdict: 'problem', rule: 'zone-not-linked', cause: 'vnet-or-private-endpoint', title: 'armunlinked-vnet' },
  },
  {
    name: "ARM: the provider is not registered in the VNet's subscription",
    registry: 'armprovider',
    behaviour: 'healthy',
    records: publicChain('armprovider', A.registry),
    identity: 'allowed',
    arm: { privateEndpoint: { vnetSubscription: OTHER_SUBSCRIPTION, providerState: 'NotRegistered', dns: { 'armprovider.azurecr.io': '10.3.0.4' } } },
    expect: { exit: 1, verdict: 'problem', rule: 'provider-not-registered', cause: 'vnet-or-private-endpoint', command: `az provider register --namespace Microsoft.ContainerRegistry --subscription ${OTHER_SUBSCRIPTION}` },
  },
  {
    name: 'ARM: network settings on a Standard registry',
    registry: 'armbasic',
    behaviour: 'healthy',
    records: publicChain('armbasic', A.registry),
    identity: 'allowed',
    args: ['--symptom', 'network-settings-save-failed'],
    arm: { sku: 'Standard' },
    expect: { exit: 1, verdict: 'problem', rule: 'network-rules-need-premium', cause: 'public-network-rules', command: 'az acr update --name armbasic --sku Premium' },
  },
  {
    name: 'ARM: ACR Tasks on a restricted registry without the Tasks bypass',
    registry: 'armtasks',
    behaviour: 'healthy',
    records: publicChain('armtasks', A.registry),
    identity: 'allowed',
    args: ['--client', 'tasks'],
    arm: { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], bypassForTasks: false },
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'tasks-bypass-disabled',
      cause: 'service-access-restricted',
      command: `az resource update --ids ${registryId('armtasks')} --set properties.networkRuleBypassAllowedForTasks=true`,
    },
  },
  {
    name: 'ARM: Defender cannot scan, trusted services are off',
    registry: 'armdefender',
    behaviour: 'healthy',
    records: publicChain('armdefender', A.registry),
    identity: 'allowed',
    args: ['--symptom', 'defender-cannot-scan'],
    arm: { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'], bypass: 'None' },
    expect: { exit: 1, verdict: 'problem', rule: 'trusted-services-disabled', cause: 'service-access-restricted', command: 'az acr update --name armdefender --allow-trusted-services true' },
  },
  {
    name: 'ARM: the IP rule quota (100) is reached',
    registry: 'armquota',
    behaviour: 'denied',
    records: publicChain('armquota', A.registry),
    identity: 'allowed',
    arm: { defaultAction: 'Deny', ipRules: HUNDRED_RULES },
    expect: { exit: 1, verdict: 'problem', rule: 'ip-rule-quota', cause: 'public-network-rules', title: '100' },
  },
  {
    name: 'Login events: a client elsewhere is refused; its IP is in the resource logs, not in the rules',
    registry: 'armlogs',
    behaviour: 'healthy',
    records: publicChain('armlogs', A.registry),
    identity: 'allowed',
    args: ['--workspace', LAB_WORKSPACE, '--symptom', 'azure-service-cannot-pull'],
    arm: { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'] },
    loginFailures: [{ identity: 'aks-agentpool-kubelet', callerIp: '52.160.10.20', result: '403' }],
    expect: { exit: 1, verdict: 'problem', rule: 'ip-not-in-rules', cause: 'public-network-rules', title: '52.160.10.20', command: 'az acr network-rule add --name armlogs --ip-address 52.160.10.20' },
  },
  // ARM failing is evidence too: each a specific check result, the probes' report complete.
  ...([
    ['401', 'armunauth', { status: 401 }, 'arm.unauthorized'],
    ['403: Reader is missing', 'armforbidden', { status: 403 }, 'arm.forbidden'],
    ['500', 'armbroken', { status: 500 }, 'arm.server-error'],
    ['429 with a Retry-After beyond the budget', 'armthrottled', { status: 429, retryAfter: 60 }, 'arm.throttled'],
    ['429 once, retried after Retry-After', 'armretry', { status: 429, retryAfter: 1, once: true }, 'arm.registry.ok'],
    ['black-holed', 'armslow', 'blackhole', 'arm.unreachable.timeout'],
  ] as const).map(
    ([what, registry, failure, outcome]): Scenario => ({
      name: `ARM answers ${what}: a specific check result, the rest of the report intact`,
      // By resource id: the registry's own GET is what fails (a name is found through the subscription's list).
      registry: registryId(registry),
      behaviour: 'healthy',
      records: publicChain(registry, A.registry),
      identity: 'allowed',
      arm: { failure },
      ...(failure === 'blackhole' ? { args: ['--timeout', '3'] } : {}),
      // ARM that never answers is a network fact about this machine: named, at medium confidence.
      expect:
        failure === 'blackhole'
          ? { exit: 1, verdict: 'problem', rule: 'azure-endpoint-unreachable', cause: 'client-firewall-or-proxy', title: ARM_HOST, exchange: 'exchange.ok', arm: outcome }
          : { exit: 0, verdict: 'healthy', exchange: 'exchange.ok', arm: outcome },
    }),
  ),
  {
    name: 'ARM: 404 for a registry given by resource id',
    registry: registryId('armmissing'),
    behaviour: 'healthy',
    records: publicChain('armmissing', A.registry),
    identity: 'allowed',
    expect: { exit: 0, verdict: 'healthy', exchange: 'exchange.ok', arm: 'arm.not-found' },
  },
];

SCENARIOS.push(...NETWORK_SCENARIOS, ...ARM_SCENARIOS, ...AKS_SCENARIOS);

export const DENIED_BY_SQUID = SCENARIOS.filter((s) => s.name.includes('CONNECT with 403')).map((s) => `${s.registry}.azurecr.io`);
