/**
 * An AKS cluster as people name it (its resource id, or `resourceGroup/name` in the registry's
 * subscription), and the kubectl context our commands give it.
 */
import { createHash } from 'node:crypto';

const AKS_NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,62}';
/** A resource group: letters (any script), digits, `-_.()`, up to 90. */
const GROUP = '[-\\p{L}\\p{N}_.()]{1,90}';
const AKS_ID = new RegExp(`^/subscriptions/[0-9a-f-]{36}/resourceGroups/${GROUP}/providers/Microsoft\\.ContainerService/managedClusters/${AKS_NAME}$`, 'iu');
const AKS_SHORT = new RegExp(`^${GROUP}/${AKS_NAME}$`, 'u');
/** An AKS cluster as a user names it: its resource id, or `resourceGroup/name` (in the registry's subscription). */
export const isAksCluster = (value: string): boolean => AKS_ID.test(value) || AKS_SHORT.test(value);
/** A cluster's resource id anywhere in a text. */
export const AKS_ID_IN_TEXT = new RegExp(`/subscriptions/[0-9a-f-]{36}/resourceGroups/${GROUP}/providers/Microsoft\\.ContainerService/managedClusters/${AKS_NAME}(?![\\w-])`, 'iu');

/**
 * The kubectl context our commands fetch a cluster's credentials into: its name, and a digest of its
 * subscription, resource group and name, so it is never another cluster's context of the same name.
 */
export function aksContextName(subscriptionId: string, resourceGroup: string, name: string): string {
  const digest = createHash('sha256').update(`${subscriptionId}/${resourceGroup}/${name}`.toLowerCase()).digest('hex').slice(0, 10);
  return `acr-check-${name.toLowerCase()}-${digest}`;
}
