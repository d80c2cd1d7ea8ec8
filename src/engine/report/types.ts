/** Types of the report: the one result every front renders. See report.schema.json. */

export const SCHEMA_VERSION = 1;

export type Lang = 'en' | 'ru' | 'ar';
export const LANGS: readonly Lang[] = ['en', 'ru', 'ar'];

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';
export type Verdict = 'healthy' | 'problem' | 'inconclusive';
export type Confidence = 'high' | 'medium' | 'low';

export const CLIENT_KINDS = ['aks', 'vm', 'onprem', 'azure-service', 'tasks', 'other'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What one probe saw. `outcome` is a stable code; title and detail are rendered text. */
export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  outcome: string;
  durationMs: number;
  detail: string;
  data: JsonObject;
  error?: { code: string; message: string };
}

export interface Fix {
  /** The fix's id in knowledge.json: a front rewords a fix by it, not by its rendered title. Absent in reports of earlier versions. */
  id?: string;
  title: string;
  commands: string[];
  docs: string[];
}

export interface Finding {
  cause: string;
  rule: string;
  /** The case of the rule this is, when it has its own words (knowledge.json's `variants`). */
  variant?: string;
  confidence: Confidence;
  title: string;
  explanation: string;
  evidence: string[];
  params: Record<string, string>;
  fixes: Fix[];
}

export interface RegistryRef {
  name: string;
  loginServer: string;
  resourceId?: string;
}

export interface ClientContext {
  kind?: ClientKind;
  proxy?: string;
  dnsServers: string[];
  hostname?: string;
  platform: string;
}

export interface PrivateEndpointFacts {
  id: string;
  name: string;
  status?: string;
  vnetId?: string;
  /** FQDN → private addresses, from the endpoint's DNS configuration (registry and every data endpoint). */
  dns: { fqdn: string; addresses: string[] }[];
  zoneIds: string[];
}

export interface PrivateZoneFacts {
  id: string;
  name: string;
  /** Relative record name (`myregistry`, `myregistry.westeurope.data`) → IPv4 addresses. */
  records: Record<string, string[]>;
  vnetLinks: string[];
}

/** A failed login from the registry's resource logs. */
export interface LoginFailure {
  time: string;
  identity: string;
  callerIp: string;
  result: string;
  description: string;
}

/** A virtual network the cluster's nodes or pods sit in, as ARM shows it. */
export interface AksNetworkFacts {
  id: string;
  /** Its custom DNS servers; empty: Azure-provided DNS (168.63.129.16). */
  dnsServers: string[];
  /** Its peerings: the remote network, the peering's state (Connected, Initiated, Disconnected), the remote address space. */
  peerings: { remoteVnetId: string; state: string; remotePrefixes: string[] }[];
}

/** The AKS cluster a client runs in, as ARM describes it (read when the client is AKS and the cluster is named). */
export interface AksFacts {
  id: string;
  name: string;
  /** loadBalancer, managedNATGateway, userAssignedNATGateway, userDefinedRouting, none. */
  outboundType?: string;
  /** The cluster's effective outbound public addresses (its load balancer's or NAT gateway's, or the firewall's its routes lead to). */
  egressIps: string[];
  /** With user-defined routing: the next hop of the node subnet's default route, and the Azure Firewall holding it when one was read. */
  egressVia?: { nextHopType: string; nextHop?: string; firewall?: string };
  /** The kubelet identity, which pulls images. */
  kubeletObjectId?: string;
  kubeletClientId?: string;
  /** The roles the kubelet identity holds at the registry's scope (built-in ones by name, others as `role:<id>`); absent when not read. */
  kubeletRoles?: string[];
  /** The node pools' subnets. */
  nodeSubnetIds: string[];
  /** The pod subnets (Azure CNI with dynamic pod IP allocation), when separate from the nodes'. */
  podSubnetIds?: string[];
  /** The virtual networks of the node and pod subnets, as read; absent when they could not be read. */
  networks?: AksNetworkFacts[];
  windowsPools: boolean;
  privateCluster: boolean;
  /** What of the cluster's side could not be read with this identity: `egress`, `network`, `roles`. */
  unread?: string[];
}

/** What Azure Resource Manager says about the registry: plain data, no SDK types. */
export interface Facts {
  /** LegacyRegistryPermissions, or AbacRepositoryPermissions: repository roles replace AcrPull. */
  roleAssignmentMode?: string;
  resourceId?: string;
  location?: string;
  sku?: string;
  publicNetworkAccess?: string;
  defaultAction?: string;
  ipRules?: string[];
  bypass?: string;
  bypassForTasks?: boolean;
  dataEndpointEnabled?: boolean;
  dataEndpoints?: string[];
  replications?: string[];
  privateEndpoints?: PrivateEndpointFacts[];
  privateDnsZones?: PrivateZoneFacts[];
  providerRegistrations?: { subscriptionId: string; state: string }[];
  providerRegistered?: boolean;
  loginFailures?: LoginFailure[];
  aks?: AksFacts;
}

export interface Report {
  schemaVersion: number;
  /** This diagnosis (a UUID): escalation derives its idempotency key from it. */
  id: string;
  tool: { name: string; version: string };
  lang: Lang;
  registry: RegistryRef;
  startedAt: string;
  durationMs: number;
  budgetMs: number;
  symptoms: string[];
  client: ClientContext;
  checks: Check[];
  facts: Facts;
  findings: Finding[];
  verdict: Verdict;
}
