/**
 * ARM read within scopes: a reader that refuses, before any call, every resource outside the
 * subscriptions and resource groups it was given, and lists only what lies inside them. The bot's
 * own identity may read far more than the person asking should see; wrapped in the asker's scopes,
 * every reader (registry, replicas, private endpoints, DNS zones, providers) keeps to them.
 */
import type { ArmApi } from './sdk.js';

/** A resource the caller may not read with this identity: evidence (arm.out-of-scope), not a crash. */
export class OutOfScopeError extends Error {
  override readonly name = 'OutOfScopeError';
  constructor(readonly resourceId: string) {
    super(`${resourceId} is outside the scopes this conversation may read`);
  }
}

/** `/subscriptions/<id>` or `/subscriptions/<id>/resourceGroups/<name>`, lower case, no trailing slash. */
export function normalizeScope(scope: string): string | undefined {
  const match = /^\/subscriptions\/([0-9a-f-]{36})(?:\/resourcegroups\/([-\w.()]{1,90}))?\/?$/i.exec(scope.trim());
  if (!match) return undefined;
  return match[2] ? `/subscriptions/${match[1]!.toLowerCase()}/resourcegroups/${match[2].toLowerCase()}` : `/subscriptions/${match[1]!.toLowerCase()}`;
}

export function inScopes(resourceId: string, scopes: readonly string[]): boolean {
  const id = resourceId.toLowerCase();
  return scopes.some((scope) => id === scope || id.startsWith(`${scope}/`));
}

const subscriptionOf = (scope: string): string => scope.split('/')[2]!;

export function scopedArmApi(api: ArmApi, scopes: readonly string[]): ArmApi {
  const guard = (id: string): void => {
    if (!inScopes(id, scopes)) throw new OutOfScopeError(id);
  };
  const subscriptions = new Set(scopes.map(subscriptionOf));
  /** A subscription's list: refused for a subscription out of scope, else only what lies in scope. */
  const listIn = async <T extends { id: string }>(subscriptionId: string, list: () => Promise<T[]>): Promise<T[]> => {
    if (!subscriptions.has(subscriptionId.toLowerCase())) throw new OutOfScopeError(`/subscriptions/${subscriptionId}`);
    return (await list()).filter((r) => inScopes(r.id, scopes));
  };
  return {
    subscriptions: async (signal) => (await api.subscriptions(signal)).filter((s) => subscriptions.has(s.toLowerCase())),
    registriesIn: (subscriptionId, signal) => listIn(subscriptionId, () => api.registriesIn(subscriptionId, signal)),
    registry: async (id, signal) => (guard(id), api.registry(id, signal)),
    replicationRegions: async (id, signal) => (guard(id), api.replicationRegions(id, signal)),
    privateEndpoint: async (id, signal) => (guard(id), api.privateEndpoint(id, signal)),
    privateZone: async (id, signal) => (guard(id), api.privateZone(id, signal)),
    // The cluster's addresses, networks, route tables and firewalls each in scope or not read (named unread).
    managedCluster: async (id, signal) => (guard(id), api.managedCluster(id, signal)),
    clustersIn: (subscriptionId, signal) => listIn(subscriptionId, () => api.clustersIn(subscriptionId, signal)),
    publicAddress: async (id, signal) => (guard(id), api.publicAddress(id, signal)),
    natGateway: async (id, signal) => (guard(id), api.natGateway(id, signal)),
    virtualNetwork: async (id, signal) => (guard(id), api.virtualNetwork(id, signal)),
    routes: async (id, signal) => (guard(id), api.routes(id, signal)),
    firewallsIn: (subscriptionId, signal) => listIn(subscriptionId, () => api.firewallsIn(subscriptionId, signal)),
    pullRoles: async (scope, principalId, signal) => (guard(scope), api.pullRoles(scope, principalId, signal)),
    // Provider registration is the subscription's: only a whole subscription in scope reads it.
    providerState: async (subscriptionId, namespace, signal) => (guard(`/subscriptions/${subscriptionId}`), api.providerState(subscriptionId, namespace, signal)),
    ...(api.explain ? { explain: api.explain.bind(api) } : {}),
  };
}
