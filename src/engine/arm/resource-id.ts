/** ARM resource ids, taken apart: `/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}[/{type}/{name}]...` */
export interface ResourceId {
  subscriptionId: string;
  resourceGroup: string;
  provider: string;
  /** type/name pairs after the provider, e.g. [['privateEndpoints', 'pe1']]. */
  path: [type: string, name: string][];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A subscription, tenant or workspace id. */
export const isGuid = (value: string): boolean => GUID.test(value);

export function parseResourceId(id: string): ResourceId | undefined {
  const parts = id.split('/').filter(Boolean);
  if (parts[0]?.toLowerCase() !== 'subscriptions' || parts[2]?.toLowerCase() !== 'resourcegroups' || parts[4]?.toLowerCase() !== 'providers') return undefined;
  const rest = parts.slice(6);
  if (!parts[1] || !parts[3] || !parts[5] || rest.length === 0 || rest.length % 2 !== 0) return undefined;
  const path: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) path.push([rest[i]!, rest[i + 1]!]);
  return { subscriptionId: parts[1], resourceGroup: parts[3], provider: parts[5], path };
}

export function lastName(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

/** The virtual network of a subnet id (`.../virtualNetworks/v/subnets/s` → `.../virtualNetworks/v`). */
export function vnetOfSubnet(subnetId: string): string {
  return subnetId.replace(/\/subnets\/[^/]+$/i, '');
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
