/** Classifies addresses the way a network engineer reads them. */
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'cgnat' | 'unique-local' | 'reserved';

const RANGE_CLASS: Record<string, AddressClass> = {
  unicast: 'public',
  private: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local',
  carrierGradeNat: 'cgnat',
  uniqueLocal: 'unique-local',
};

export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'reserved';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return RANGE_CLASS[parsed.range()] ?? 'reserved';
}

/** Private-range-like addresses that only a network with a route to them (VNet, VPN, peering) can reach. */
export function isInternal(cls: AddressClass): boolean {
  return cls === 'private' || cls === 'cgnat' || cls === 'unique-local';
}

export interface ClassifiedAddress {
  address: string;
  family: 4 | 6;
  class: AddressClass;
}

export function classified(address: string): ClassifiedAddress {
  return { address, family: address.includes(':') ? 6 : 4, class: classifyAddress(address) };
}
