/** DNS records as the lab's scenarios stage them: what Azure's public DNS and a private zone answer. */
import type { LabRecord } from './dns-server.js';

export const a = (address: string): LabRecord[] => [{ type: 'A', data: address }];
export const cname = (target: string): LabRecord[] => [{ type: 'CNAME', data: target }];

/** The public resolution of a healthy registry, as Azure's public DNS gives it. */
export function publicChain(name: string, address: string): Record<string, LabRecord[]> {
  return {
    [`${name}.azurecr.io`]: cname(`${name}.privatelink.azurecr.io`),
    [`${name}.privatelink.azurecr.io`]: cname(`weu-1.fe.azcr.io`),
    'weu-1.fe.azcr.io': cname('weu-acr-reg.trafficmanager.net'),
    'weu-acr-reg.trafficmanager.net': cname('weu-1.westeurope.cloudapp.azure.com'),
    'weu-1.westeurope.cloudapp.azure.com': a(address),
  };
}

/**
 * A registry behind private endpoints, as its private zone resolves it: the login server and one
 * data endpoint, each through its privatelink alias to the address the zone holds.
 */
export function privateChain(name: string, loginAddress: string, dataAddress: string): Record<string, LabRecord[]> {
  return {
    [`${name}.azurecr.io`]: cname(`${name}.privatelink.azurecr.io`),
    [`${name}.privatelink.azurecr.io`]: a(loginAddress),
    [`${name}.westeurope.data.azurecr.io`]: cname(`${name}.westeurope.data.privatelink.azurecr.io`),
    [`${name}.westeurope.data.privatelink.azurecr.io`]: a(dataAddress),
  };
}

/** `length` CNAMEs from the registry's name to an address: more than resolvers follow. */
export function longChain(name: string, length: number, address: string): Record<string, LabRecord[]> {
  const names = [`${name}.azurecr.io`, `${name}.privatelink.azurecr.io`, ...Array.from({ length: length - 1 }, (_, i) => `hop${i + 1}.${name}.edge.contoso.example`)];
  const records: Record<string, LabRecord[]> = {};
  names.forEach((from, i) => (records[from] = i < length ? cname(names[i + 1]!) : a(address)));
  return records;
}
