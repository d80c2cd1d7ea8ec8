/**
 * The AKS cluster's side of a failed pull (issue 16), one scenario per rule through the real CLI with
 * `--aks-cluster`: the machine running acr-check reaches the registry, and what ARM shows of the
 * cluster (fake-arm.ts's LAB_CLUSTERS) is why the cluster's nodes cannot.
 */
import { LAB_ADDRESSES as A } from './addresses.js';
import { clusterVnetId, LAB_CLUSTERS, LAB_HUB, LAB_SUBSCRIPTION, registryId, zoneResourceGroup, type ArmRegistryFixture } from './fake-arm.js';
import { privateChain, publicChain } from './records.js';
import type { Scenario } from './scenarios.js';

/** A registry reached only through its private endpoint, in its own network, its zone linked to that network. */
function privateOnly(name: string): ArmRegistryFixture {
  return {
    publicNetworkAccess: 'Disabled',
    privateEndpoint: { dns: { [`${name}.azurecr.io`]: A.privateLoginServer }, zone: { records: { [name]: A.privateLoginServer }, linked: true } },
  };
}
const cluster = (name: string): string[] => ['--aks-cluster', `rg-aks/${name}`];
const SELECTED_NETWORKS: ArmRegistryFixture = { defaultAction: 'Deny', ipRules: ['198.51.100.0/24'] };

export const AKS_SCENARIOS: Scenario[] = [
  {
    name: "AKS: the cluster's load balancer leaves from an address the IP rules do not allow",
    registry: 'aksegress',
    behaviour: 'healthy',
    records: publicChain('aksegress', A.registry),
    identity: 'allowed',
    arm: SELECTED_NETWORKS,
    args: cluster('aks-lab'),
    expect: { exit: 1, verdict: 'problem', rule: 'aks-egress-not-allowed', cause: 'public-network-rules', title: '203.0.113.50', command: 'az acr network-rule add --name aksegress --ip-address 203.0.113.50', checks: { 'arm.aks': 'arm.aks.ok' } },
  },
  {
    name: "AKS: user-defined routing through the hub's Azure Firewall, whose public address the IP rules do not allow",
    registry: 'aksfirewall',
    behaviour: 'healthy',
    records: publicChain('aksfirewall', A.registry),
    identity: 'allowed',
    arm: SELECTED_NETWORKS,
    args: cluster('aks-udr'),
    expect: { exit: 1, verdict: 'problem', rule: 'aks-egress-not-allowed', cause: 'public-network-rules', title: LAB_HUB.firewall.publicIp, command: `az acr network-rule add --name aksfirewall --ip-address ${LAB_HUB.firewall.publicIp}` },
  },
  {
    name: "AKS: a user-assigned NAT gateway leaves from an address the IP rules allow and a prefix they do not",
    registry: 'aksnat',
    behaviour: 'healthy',
    records: publicChain('aksnat', A.registry),
    identity: 'allowed',
    arm: { defaultAction: 'Deny', ipRules: ['198.51.100.0/24', '203.0.113.90'] },
    args: cluster('aks-nat'),
    expect: { exit: 1, verdict: 'problem', rule: 'aks-egress-not-allowed', cause: 'public-network-rules', title: '203.0.113.96/28', command: 'az acr network-rule add --name aksnat --ip-address 203.0.113.96/28', notInFixes: ['203.0.113.90'] },
  },
  {
    name: 'AKS: public access off, the private endpoint in a network the cluster does not reach',
    registry: 'aksnopath',
    behaviour: 'healthy',
    records: privateChain('aksnopath', A.privateLoginServer, A.privateDataEndpoint),
    identity: 'allowed',
    arm: privateOnly('aksnopath'),
    args: cluster('aks-lab'),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'aks-egress-not-allowed',
      cause: 'public-network-rules',
      title: 'no way to the registry',
      command: `az network private-endpoint create --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aksnopath-aks-lab-pe --vnet-name aks-lab-vnet --subnet nodes --private-connection-resource-id ${registryId('aksnopath')} --group-id registry --connection-name aksnopath-aks-lab`,
    },
  },
  {
    name: "AKS: the cluster's network (Azure DNS) reaches the private endpoint but is not linked to its zone",
    registry: 'aksunlinked',
    behaviour: 'healthy',
    records: privateChain('aksunlinked', A.privateLoginServer, A.privateDataEndpoint),
    identity: 'allowed',
    arm: privateOnly('aksunlinked'),
    args: cluster('aks-spoke'),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'aks-vnet-not-linked',
      cause: 'vnet-or-private-endpoint',
      title: 'aks-spoke-vnet',
      command: `az network private-dns link vnet create --subscription ${LAB_SUBSCRIPTION} --resource-group ${zoneResourceGroup('aksunlinked')} --zone-name privatelink.azurecr.io --name aks-spoke-vnet-link --virtual-network ${clusterVnetId('aks-spoke')} --registration-enabled false`,
    },
  },
  {
    name: "AKS: the cluster's DNS servers sit in a hub that is not linked to the registry's zone",
    registry: 'akshubdns',
    behaviour: 'healthy',
    records: privateChain('akshubdns', A.privateLoginServer, A.privateDataEndpoint),
    identity: 'allowed',
    arm: privateOnly('akshubdns'),
    args: cluster('aks-hubdns'),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'aks-vnet-not-linked',
      cause: 'vnet-or-private-endpoint',
      title: LAB_HUB.dnsServer,
      command: `az network private-dns link vnet create --subscription ${LAB_SUBSCRIPTION} --resource-group ${zoneResourceGroup('akshubdns')} --zone-name privatelink.azurecr.io --name hub-vnet-link --virtual-network ${LAB_HUB.vnetId} --registration-enabled false`,
    },
  },
  {
    name: "AKS: the cluster's kubelet identity holds no role that lets it pull",
    registry: 'akskubelet',
    behaviour: 'healthy',
    records: publicChain('akskubelet', A.registry),
    identity: 'allowed',
    arm: {},
    args: cluster('aks-lab'),
    expect: { exit: 1, verdict: 'problem', rule: 'aks-kubelet-no-acrpull', cause: 'authentication', title: 'aks-lab', command: `az aks update --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aks-lab --attach-acr ${registryId('akskubelet')}` },
  },
  {
    name: 'AKS: a kubelet with AcrPull on a registry with repository permissions (ABAC), where AcrPull is not honoured',
    registry: 'aksabac',
    behaviour: 'healthy',
    records: publicChain('aksabac', A.registry),
    identity: 'allowed',
    arm: { roleAssignmentMode: 'AbacRepositoryPermissions' },
    args: cluster('aks-spoke'),
    expect: {
      exit: 1,
      verdict: 'problem',
      rule: 'aks-kubelet-no-acrpull',
      cause: 'authentication',
      title: 'repository permissions (ABAC)',
      command: `az role assignment create --assignee-object-id ${LAB_CLUSTERS['aks-spoke']!.kubeletObjectId} --assignee-principal-type ServicePrincipal --role "Container Registry Repository Reader" --scope ${registryId('aksabac')}`,
    },
  },
  {
    name: 'AKS: nothing wrong that Azure shows, on a cluster with Windows nodes: check inside the cluster, on Windows too',
    registry: 'akswindows',
    behaviour: 'healthy',
    records: publicChain('akswindows', A.registry),
    identity: 'allowed',
    arm: {},
    args: cluster('aks-win'),
    expect: { exit: 0, verdict: 'healthy', rule: 'aks-check-in-cluster', cause: 'unknown', title: 'Windows', command: `az aks check-acr --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aks-win --acr akswindows.azurecr.io` },
  },
];
