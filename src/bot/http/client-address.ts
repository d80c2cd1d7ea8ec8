/**
 * Which client a request counts against. Behind trusted reverse proxies (App Service, Front Door)
 * the address is the one the outermost trusted proxy saw: counted from the right of
 * X-Forwarded-For, since everything left of it is whatever the client chose to send. IPv6 clients
 * are counted by their /64, which one subscriber usually holds whole.
 */
import ipaddr from 'ipaddr.js';

export function clientAddress(socketAddress: string, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  if (trustedHops <= 0 || forwardedFor === undefined) return socketAddress;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return hops[hops.length - trustedHops] ?? socketAddress;
}

/**
 * An address as proxies write it, without the port some add (App Service writes `203.0.113.7:51234`
 * and `[2001:db8::1]:51234`): the same client on another connection is the same client.
 */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  return v4 ? v4[1]! : address;
}

/** The key a rate limit counts: an IPv4 address (also when written IPv4-mapped), or an IPv6 /64. */
export function rateKey(address: string): string {
  const bare = withoutPort(address).replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return bare;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}
