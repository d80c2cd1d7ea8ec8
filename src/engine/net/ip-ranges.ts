/** Addresses and ranges (CIDR): whether one lies in a list of them. Invalid entries match nothing. */
import ipaddr from 'ipaddr.js';

/** Whether `address` falls in any of `ranges` (addresses or CIDR ranges: a registry's IP rules, a network's address space). */
export function matchesIpRule(address: string, ranges: string[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return ranges.some((rule) => {
    try {
      const [range, bits] = rule.includes('/') ? ipaddr.parseCIDR(rule) : [ipaddr.process(rule), parsed.kind() === 'ipv4' ? 32 : 128];
      return range.kind() === parsed.kind() && parsed.match(range, bits);
    } catch {
      return false;
    }
  });
}

/** An address, or a whole prefix (a public IP prefix), inside one of `ranges`. */
export function egressAllowed(egress: string, ranges: string[]): boolean {
  if (!egress.includes('/')) return matchesIpRule(egress, ranges);
  try {
    const [range, bits] = ipaddr.parseCIDR(egress);
    return ranges.some((rule) => {
      try {
        const [allowed, allowedBits] = rule.includes('/') ? ipaddr.parseCIDR(rule) : [ipaddr.parse(rule), range.kind() === 'ipv4' ? 32 : 128];
        return allowed.kind() === range.kind() && bits >= allowedBits && range.match(allowed, allowedBits);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
