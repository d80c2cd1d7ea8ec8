/**
 * The lab's scenarios as data: the world each one stages (DNS records, hosts file, resolver,
 * proxy, registry behaviour) and what acr-check must conclude. The same table drives the tests.
 */
import { CLIENT_EGRESS_IP, LAB_ADDRESSES as A, UNROUTED_PRIVATE_ENDPOINT } from './addresses.js';
import type { RegistryBehaviour } from './acr-front.js';
import type { LabRecord } from './dns-server.js';
import { LAB_AUTHORITY_HOST, LAB_PRINCIPALS, LAB_TENANT } from './fake-entra.js';
import { PROXY_PORT } from './proxies.js';
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
}

export interface Scenario {
  name: string;
  registry: string;
  behaviour?: RegistryBehaviour;
  records?: Record<string, LabRecord[]>;
  nameserver?: string;
  hosts?: string[];
  proxy?: string;
  /** The Azure identity in the client's environment, if any. */
  identity?: keyof typeof LAB_PRINCIPALS;
  args?: string[];
  expect: Expectation;
}

const a = (address: string): LabRecord[] => [{ type: 'A', data: address }];
const cname = (target: string): LabRecord[] => [{ type: 'CNAME', data: target }];

/** The public resolution of a healthy registry, as Azure's public DNS gives it. */
function publicChain(name: string, address: string): Record<string, LabRecord[]> {
  return {
    [`${name}.azurecr.io`]: cname(`${name}.privatelink.azurecr.io`),
    [`${name}.privatelink.azurecr.io`]: cname(`weu-1.fe.azcr.io`),
    'weu-1.fe.azcr.io': cname('weu-acr-reg.trafficmanager.net'),
    'weu-acr-reg.trafficmanager.net': cname('weu-1.westeurope.cloudapp.azure.com'),
    'weu-1.westeurope.cloudapp.azure.com': a(address),
  };
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
    expect: { exit: 1, verdict: 'problem', rule: 'dns-nxdomain', cause: 'registry-not-found', command: 'az acr show --name nosuchreg1 --query loginServer --output tsv' },
  },
  {
    name: 'DNS timeout: the resolver never answers',
    registry: 'timeoutreg',
    nameserver: A.deadDns,
    args: ['--timeout', '3'],
    expect: { exit: 1, verdict: 'problem', rule: 'dns-resolver-failing', cause: 'vnet-or-private-endpoint', command: 'nslookup timeoutreg.azurecr.io 168.63.129.16' },
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
    expect: { exit: 1, verdict: 'problem', rule: 'dns-privatelink-nxdomain', cause: 'vnet-or-private-endpoint', title: 'pezonereg.privatelink.azurecr.io' },
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
    expect: { exit: 1, verdict: 'problem', rule: 'proxy-denied', cause: 'client-firewall-or-proxy', title: '403' },
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
    expect: { exit: 1, verdict: 'problem', rule: 'proxy-closed', cause: 'client-firewall-or-proxy' },
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
    expect: { exit: 1, verdict: 'problem', rule: 'public-access-denied', cause: 'public-network-rules', title: CLIENT_EGRESS_IP, exchange: 'exchange.denied' },
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

/** What the acr-check process of this scenario sees: hosts file, resolver, proxy, identity. */
export function worldFor(scenario: Scenario, caPath: string): CliWorld {
  return {
    caPath,
    ...(scenario.hosts ? { hosts: scenario.hosts } : {}),
    ...(scenario.nameserver ? { nameserver: scenario.nameserver } : {}),
    env: { ...(scenario.proxy ? { HTTPS_PROXY: scenario.proxy } : {}), ...identityEnv(scenario.identity) },
  };
}

export const DENIED_BY_SQUID = SCENARIOS.filter((s) => s.name.includes('CONNECT with 403')).map((s) => `${s.registry}.azurecr.io`);
