/**
 * Azure Resource Manager for the lab, over HTTPS: the calls @azure/arm-containerregistry, -network,
 * -privatedns, -resources and -resources-subscriptions make, answered with JSON shaped like Azure's
 * published REST API examples (RegistryGet, ReplicationList, PrivateEndpointGet, RecordSetAList,
 * VirtualNetworkLinkList, GetProvider), and Azure support (fake-support.ts). Each registry is a
 * fixture; failures are staged per registry.
 *
 * People are authorised as ARM does it (arm-rbac.ts): a delegated token's `oid` against role
 * assignments (LAB_USER_ROLES by default: alice reads rg-acr and may file support tickets, bob holds
 * nothing), 403 AuthorizationFailed naming the client, action and scope otherwise; lists hold only
 * what they may read. Service principals' tokens read everything, as before.
 */
import https from 'node:https';
import { serve } from './serve.js';
import type http from 'node:http';
import type { KeyPair } from './pki.js';
import { createFakeSupport, type FakeSupport } from './fake-support.js';
import { actionOf, ArmRbac, callerOf, under, type ArmUser, type UserRoleAssignments } from './arm-rbac.js';
import { LAB_USERS } from './lab-tenant.js';
import { json } from './http-answers.js';

export const LAB_SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';
export const OTHER_SUBSCRIPTION = '5e1f0000-aaaa-4bbb-8ccc-444455556666';
export const LAB_RESOURCE_GROUP = 'rg-acr';
export const ARM_HOST = 'management.lab.example';

const rgScope = `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${LAB_RESOURCE_GROUP}`;
/** Who may read what, by user oid: alice reads rg-acr and files support tickets, carol too (but never consented), bob nothing. */
export const LAB_USER_ROLES: UserRoleAssignments = {
  [LAB_USERS.alice.oid]: [
    { scope: rgScope, role: 'Reader' },
    { scope: `/subscriptions/${LAB_SUBSCRIPTION}`, role: 'Support Request Contributor' },
  ],
  [LAB_USERS.carol.oid]: [{ scope: rgScope, role: 'Reader' }],
};

export type ArmFailure = { status: 401 | 403 | 404 | 429 | 500; retryAfter?: number; once?: boolean } | 'blackhole';

export interface PrivateEndpointFixture {
  vnetSubscription?: string;
  /** FQDN → private address, as the endpoint's customDnsConfigs list them. */
  dns: Record<string, string>;
  /** The privatelink zone's A records (relative name → address), and whether it is linked to the endpoint's VNet. */
  zone?: { records: Record<string, string>; linked: boolean };
  providerState?: string;
}

export interface ArmRegistryFixture {
  sku?: 'Basic' | 'Standard' | 'Premium';
  location?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  defaultAction?: 'Allow' | 'Deny';
  ipRules?: string[];
  bypass?: 'AzureServices' | 'None';
  bypassForTasks?: boolean;
  dataEndpoints?: string[];
  replicas?: string[];
  privateEndpoint?: PrivateEndpointFixture;
  failure?: ArmFailure;
}

const rgPath = (sub: string) => `/subscriptions/${sub}/resourceGroups/${LAB_RESOURCE_GROUP}`;
export const registryId = (name: string): string => `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.ContainerRegistry/registries/${name}`;
const peId = (name: string): string => `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/privateEndpoints/${name}-pe`;
/** Each registry's zone sits in its own resource group, so the fix names exactly which. */
export const zoneResourceGroup = (name: string): string => `rg-dns-${name}`;
const zoneId = (name: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${zoneResourceGroup(name)}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const vnetId = (name: string, fixture: PrivateEndpointFixture): string =>
  `${rgPath(fixture.vnetSubscription ?? LAB_SUBSCRIPTION)}/providers/Microsoft.Network/virtualNetworks/${name}-vnet`;

function registryBody(name: string, f: ArmRegistryFixture): object {
  const sku = f.sku ?? 'Premium';
  return {
    id: registryId(name),
    name,
    type: 'Microsoft.ContainerRegistry/registries',
    location: f.location ?? 'westeurope',
    tags: {},
    sku: { name: sku, tier: sku },
    properties: {
      loginServer: `${name}.azurecr.io`,
      creationDate: '2026-01-15T21:38:26.1537861Z',
      provisioningState: 'Succeeded',
      adminUserEnabled: false,
      networkRuleSet: { defaultAction: f.defaultAction ?? 'Allow', ipRules: (f.ipRules ?? []).map((value) => ({ action: 'Allow', value })) },
      policies: { quarantinePolicy: { status: 'disabled' }, trustPolicy: { type: 'Notary', status: 'disabled' }, exportPolicy: { status: 'enabled' } },
      encryption: { status: 'disabled' },
      status: null,
      dataEndpointEnabled: (f.dataEndpoints ?? []).length > 0,
      dataEndpointHostNames: f.dataEndpoints ?? [],
      privateEndpointConnections: f.privateEndpoint
        ? [
            {
              id: `${registryId(name)}/privateEndpointConnections/${name}-pe-conn`,
              name: `${name}-pe-conn`,
              type: 'Microsoft.ContainerRegistry/registries/privateEndpointConnections',
              properties: {
                privateEndpoint: { id: peId(name) },
                privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
                provisioningState: 'Succeeded',
              },
            },
          ]
        : [],
      publicNetworkAccess: f.publicNetworkAccess ?? 'Enabled',
      networkRuleBypassOptions: f.bypass ?? 'AzureServices',
      networkRuleBypassAllowedForTasks: f.bypassForTasks ?? false,
      zoneRedundancy: 'Disabled',
      anonymousPullEnabled: false,
    },
  };
}

function privateEndpointBody(name: string, f: PrivateEndpointFixture): object {
  return {
    name: `${name}-pe`,
    id: peId(name),
    type: 'Microsoft.Network/privateEndpoints',
    location: 'westeurope',
    properties: {
      provisioningState: 'Succeeded',
      privateLinkServiceConnections: [
        {
          id: `${peId(name)}/privateLinkServiceConnections/${name}-pe-conn`,
          name: `${name}-pe-conn`,
          properties: {
            privateLinkServiceId: registryId(name),
            groupIds: ['registry'],
            privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      subnet: { id: `${vnetId(name, f)}/subnets/default` },
      networkInterfaces: [{ id: `${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/networkInterfaces/${name}-pe.nic.0001` }],
      customDnsConfigs: Object.entries(f.dns).map(([fqdn, ip]) => ({ fqdn, ipAddresses: [ip] })),
      applicationSecurityGroups: [],
      ipConfigurations: [],
    },
  };
}

function zoneGroupsBody(name: string, f: PrivateEndpointFixture): object {
  if (!f.zone) return { value: [] };
  return {
    value: [
      {
        id: `${peId(name)}/privateDnsZoneGroups/default`,
        name: 'default',
        properties: { provisioningState: 'Succeeded', privateDnsZoneConfigs: [{ name: 'privatelink-azurecr-io', properties: { privateDnsZoneId: zoneId(name), recordSets: [] } }] },
      },
    ],
  };
}

function recordSetsBody(name: string, f: PrivateEndpointFixture): object {
  return {
    value: Object.entries(f.zone?.records ?? {}).map(([record, ip]) => ({
      id: `${zoneId(name)}/A/${record}`,
      etag: '00000000-0000-0000-0000-000000000000',
      name: record,
      type: 'Microsoft.Network/privateDnsZones/A',
      properties: { ttl: 10, fqdn: `${record}.privatelink.azurecr.io.`, isAutoRegistered: false, aRecords: [{ ipv4Address: ip }] },
    })),
  };
}

function linksBody(name: string, f: PrivateEndpointFixture): object {
  const linked = f.zone?.linked ? [vnetId(name, f)] : [`${rgPath(LAB_SUBSCRIPTION)}/providers/Microsoft.Network/virtualNetworks/hub-vnet`];
  return {
    value: linked.map((id, i) => ({
      id: `${zoneId(name)}/virtualNetworkLinks/link${i + 1}`,
      name: `link${i + 1}`,
      type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
      location: 'global',
      etag: '00000000-0000-0000-0000-000000000000',
      properties: { virtualNetwork: { id }, registrationEnabled: false, virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded' },
    })),
  };
}

const ARM_ERRORS: Record<number, { code: string; message: string }> = {
  401: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
  403: { code: 'AuthorizationFailed', message: "The client does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/read'." },
  404: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.ContainerRegistry/registries' was not found." },
  429: { code: 'TooManyRequests', message: 'The request is being throttled.' },
  500: { code: 'InternalServerError', message: 'Encountered internal server error.' },
};

export interface RunningArm {
  requests: { method: string; path: string }[];
  /** Azure support (Microsoft.Support) in this ARM. */
  support: FakeSupport;
  close(): Promise<void>;
}

/** The lab's AKS cluster (rg-aks/aks-lab): its load balancer leaves from one public address the lab's IP rules do not allow. */
export const LAB_AKS = {
  id: `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-lab`,
  egress: { 'kubernetes-egress-1': '203.0.113.50' } as Record<string, string>,
  kubeletObjectId: '5a1e0000-aaaa-4bbb-8ccc-00000000abcd',
};
const nodeGroup = `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/MC_rg-aks_aks-lab_westeurope`;

/** ManagedClustersGet, as in Azure's published example (the fields the readers use, and some they do not). */
function managedClusterBody(): object {
  return {
    id: LAB_AKS.id,
    location: 'westeurope',
    name: 'aks-lab',
    type: 'Microsoft.ContainerService/ManagedClusters',
    tags: {},
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned', principalId: '00000000-0000-0000-0000-000000000001', tenantId: 'lab' },
    properties: {
      provisioningState: 'Succeeded',
      kubernetesVersion: '1.31.2',
      dnsPrefix: 'akslab',
      fqdn: 'akslab-8r8c7p3k.hcp.westeurope.azmk8s.io',
      agentPoolProfiles: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_DS2_v2', osType: 'Linux', mode: 'System', type: 'VirtualMachineScaleSets', vnetSubnetID: `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/aks-vnet/subnets/nodes` }],
      nodeResourceGroup: 'MC_rg-aks_aks-lab_westeurope',
      networkProfile: {
        networkPlugin: 'azure',
        outboundType: 'loadBalancer',
        loadBalancerSku: 'standard',
        loadBalancerProfile: { managedOutboundIPs: { count: 1 }, effectiveOutboundIPs: Object.keys(LAB_AKS.egress).map((name) => ({ id: `${nodeGroup}/providers/Microsoft.Network/publicIPAddresses/${name}` })) },
      },
      identityProfile: { kubeletidentity: { resourceId: `${nodeGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-lab-agentpool`, clientId: 'ab0c0000-aaaa-4bbb-8ccc-00000000abcd', objectId: LAB_AKS.kubeletObjectId } },
      apiServerAccessProfile: { enablePrivateCluster: false },
    },
  };
}

/** PublicIPAddressGet, as in Azure's published example. */
function publicIpBody(name: string, address: string): object {
  return {
    id: `${nodeGroup}/providers/Microsoft.Network/publicIPAddresses/${name}`,
    name,
    location: 'westeurope',
    type: 'Microsoft.Network/publicIPAddresses',
    sku: { name: 'Standard', tier: 'Regional' },
    properties: { provisioningState: 'Succeeded', ipAddress: address, publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4 },
  };
}

const SUBSCRIPTIONS: Record<string, string> = { [LAB_SUBSCRIPTION]: 'acr-doctor lab', [OTHER_SUBSCRIPTION]: 'acr-doctor lab (network)' };
const subscriptionBody = (id: string): object => ({ id: `/subscriptions/${id}`, authorizationSource: 'RoleBased', subscriptionId: id, tenantId: 'lab', displayName: SUBSCRIPTIONS[id], state: 'Enabled' });
const isCollection = (path: string): boolean => /^\/subscriptions\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries$/i.test(path);
/** A subscription's provider registrations: readable by anyone holding a role in that subscription (a lab assumption). */
const isProvider = (path: string): boolean => /^\/subscriptions\/[^/]+\/providers\/[^/]+$/i.test(path);

/** Why ARM refuses `user` this request, or undefined when their roles allow it. Lists are filtered later. */
function refusalFor(rbac: ArmRbac, user: ArmUser, method: string, path: string): { code: string; message: string } | undefined {
  if (path === '/subscriptions' || path.toLowerCase().startsWith('/providers/')) return undefined;
  const action = actionOf(method, path);
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1] ?? '';
  if (isCollection(path) || isProvider(path)) {
    return rbac.subscriptionsOf(user).includes(subscription.toLowerCase()) ? undefined : ArmRbac.forbidden(user, action, `/subscriptions/${subscription}`);
  }
  const scope = method.toUpperCase() === 'POST' ? path.replace(/\/[^/]+$/, '') : path;
  return rbac.allows(user, action, path) ? undefined : ArmRbac.forbidden(user, action, scope);
}

export async function startFakeArm(address: string, pair: KeyPair, fixtures: Record<string, ArmRegistryFixture>, port = 443, roles: UserRoleAssignments = LAB_USER_ROLES): Promise<RunningArm> {
  const requests: RunningArm['requests'] = [];
  const rbac = new ArmRbac(roles);
  const failed = new Set<string>();
  const support = createFakeSupport(ARM_HOST);
  const send = (res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void => json(res, status, body, { 'x-ms-request-id': crypto.randomUUID(), ...headers });
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${ARM_HOST}`);
    const path = url.pathname.replace(/\/+$/, '');
    requests.push({ method: req.method ?? 'GET', path });
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return send(res, 401, { error: ARM_ERRORS[401] });
    if (!url.searchParams.get('api-version')) return send(res, 400, { error: { code: 'MissingApiVersionParameter', message: 'api-version is required' } });
    const caller = callerOf(req.headers.authorization ?? '', ARM_HOST);
    if (caller.kind === 'refused') return send(res, caller.status, { error: caller.error });
    const user = caller.kind === 'user' ? caller.user : undefined;
    const refused = user && refusalFor(rbac, user, req.method ?? 'GET', path);
    if (refused) return send(res, 403, { error: refused });

    if (support.handle(req, res, path, send)) return;
    if (path === '/subscriptions') {
      const visible = user ? Object.keys(SUBSCRIPTIONS).filter((s) => rbac.subscriptionsOf(user).includes(s)) : [LAB_SUBSCRIPTION];
      return send(res, 200, { value: visible.map(subscriptionBody), count: { type: 'Total', value: visible.length } });
    }
    const provider = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.ContainerRegistry$/i.exec(path);
    if (provider) {
      const state = Object.values(fixtures).find((f) => f.privateEndpoint?.vnetSubscription === provider[1])?.privateEndpoint?.providerState ?? 'Registered';
      return send(res, 200, { id: `/subscriptions/${provider[1]}/providers/Microsoft.ContainerRegistry`, namespace: 'Microsoft.ContainerRegistry', registrationState: state, registrationPolicy: 'RegistrationRequired', resourceTypes: [{ resourceType: 'registries', locations: ['West Europe'], apiVersions: ['2025-11-01'] }] });
    }
    if (isCollection(path)) {
      // A person sees only the registries of this subscription they may read, as ARM filters a list.
      const readable = (name: string): boolean => !user || (under(registryId(name), path.replace(/\/providers\/.*$/i, '')) && rbac.allows(user, 'Microsoft.ContainerRegistry/registries/read', registryId(name)));
      return send(res, 200, { value: Object.entries(fixtures).filter(([n, f]) => (f.failure === undefined || f.failure === 'blackhole' || f.failure.status !== 404) && readable(n)).map(([n, f]) => registryBody(n, f)) });
    }
    const reg = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)(\/replications)?$/i.exec(path);
    if (reg) {
      const name = reg[1]!.toLowerCase();
      const fixture = fixtures[name];
      if (!fixture) return send(res, 404, { error: ARM_ERRORS[404] });
      const failure = fixture.failure;
      if (failure === 'blackhole') return; // accepted, never answered
      if (failure && !reg[2] && !(failure.once && failed.has(name))) {
        failed.add(name);
        return send(res, failure.status, { error: ARM_ERRORS[failure.status] }, failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {});
      }
      if (reg[2]) {
        const regions = [fixture.location ?? 'westeurope', ...(fixture.replicas ?? [])];
        return send(res, 200, {
          value: regions.map((region) => ({
            id: `${registryId(name)}/replications/${region}`,
            name: region,
            type: 'Microsoft.ContainerRegistry/registries/replications',
            location: region,
            tags: {},
            properties: { provisioningState: 'Succeeded', status: { displayStatus: 'Ready', message: 'The replication is ready.', timestamp: '2026-01-15T23:15:37.0707808Z' }, regionEndpointEnabled: true, zoneRedundancy: 'Disabled' },
          })),
        });
      }
      return send(res, 200, registryBody(name, fixture));
    }
    const pe = /\/providers\/Microsoft\.Network\/privateEndpoints\/([^/]+)-pe(\/privateDnsZoneGroups)?$/i.exec(path);
    const peFixture = pe ? fixtures[pe[1]!.toLowerCase()]?.privateEndpoint : undefined;
    if (pe && peFixture) return send(res, 200, pe[2] ? zoneGroupsBody(pe[1]!, peFixture) : privateEndpointBody(pe[1]!, peFixture));
    const zone = /\/resourceGroups\/rg-dns-([^/]+)\/providers\/Microsoft\.Network\/privateDnsZones\/privatelink\.azurecr\.io\/(A|virtualNetworkLinks)$/i.exec(path);
    const zoneFixture = zone ? fixtures[zone[1]!.toLowerCase()]?.privateEndpoint : undefined;
    if (zone && zoneFixture) return send(res, 200, zone[2] === 'A' ? recordSetsBody(zone[1]!, zoneFixture) : linksBody(zone[1]!, zoneFixture));
    // Role assignments at a registry's scope for one principal: the lab's kubelet identity holds none.
    const assignments = /\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)\/providers\/Microsoft\.Authorization\/roleAssignments$/i.exec(path);
    if (assignments) return send(res, 200, { value: [] });
    const cluster = /\/resourceGroups\/rg-aks\/providers\/Microsoft\.ContainerService\/managedClusters\/aks-lab$/i.exec(path);
    if (cluster) return send(res, 200, managedClusterBody());
    const ip = /\/resourceGroups\/MC_rg-aks_aks-lab_westeurope\/providers\/Microsoft\.Network\/publicIPAddresses\/([^/]+)$/i.exec(path);
    if (ip && LAB_AKS.egress[ip[1]!]) return send(res, 200, publicIpBody(ip[1]!, LAB_AKS.egress[ip[1]!]!));
    send(res, 404, { error: { code: 'InvalidResourceType', message: `no lab route for ${path}` } });
  });
  return { requests, support, ...(await serve(server, address, port)) };
}
