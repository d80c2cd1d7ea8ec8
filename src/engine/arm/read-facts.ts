/**
 * Reads the registry's configuration from ARM as checks of the report: what was read is facts,
 * what failed is evidence (no credentials, 401, 403, 404, 429, 5xx, timeout), never a crash.
 */
import { raceSignal } from '../net/deadlines.js';
import { type Recorder } from '../probes/recorder.js';
import type { Facts, PrivateEndpointFacts, PrivateZoneFacts } from '../report/types.js';
import type { RegistryTarget } from '../target/registry-target.js';
import { armFailure, withRetryAfter } from './arm-error.js';
import { parseResourceId, sameId } from './resource-id.js';
import type { ArmApi, RegistryFacts } from './sdk.js';
import { readCluster } from './read-cluster.js';
import type { ArmReadOptions, Reading } from './reading.js';

export type { ArmReadOptions } from './reading.js';

const LATER = ['arm.replications', 'arm.private-endpoints', 'arm.private-dns', 'arm.provider'] as const;

async function readLoginEvents(api: ArmApi, target: RegistryTarget, recorder: Recorder, options: ArmReadOptions, call: <T>(fn: () => Promise<T>) => Promise<T>): Promise<Facts> {
  const reader = options.loginEvents;
  if (!reader) {
    recorder.skip('arm.login-events', 'arm.login-events', {}, 'skip.no-workspace');
    return {};
  }
  const facts: Facts = {};
  await recorder.run('arm.login-events', 'arm.login-events', {}, async () => {
    try {
      const failures = await call(() => reader(target.loginServer, options.budget));
      facts.loginFailures = failures;
      if (failures.length === 0) return { status: 'pass', outcome: 'arm.login-events.none', data: {} };
      const ips = [...new Set(failures.map((f) => f.callerIp).filter(Boolean))];
      return { status: 'pass', outcome: 'arm.login-events.ok', data: { count: failures.length, callerIps: ips.join(', ') } };
    } catch (err) {
      return armFailure(err, {}, api.explain?.(err, 'log-analytics'));
    }
  });
  return facts;
}

/** Finds the registry: by its resource id, or by name in the subscriptions the identity can read. */
async function locate(api: ArmApi, target: RegistryTarget, options: ArmReadOptions, call: <T>(fn: () => Promise<T>) => Promise<T>): Promise<RegistryFacts | { searched: number }> {
  if (target.resourceId) return call(() => api.registry(target.resourceId!, options.budget));
  const subscriptions = options.subscription ? [options.subscription] : await call(() => api.subscriptions(options.budget));
  const found = await Promise.all(subscriptions.map((s) => call(() => api.registriesIn(s, options.budget))));
  return found.flat().find((r) => r.name.toLowerCase() === target.name) ?? { searched: subscriptions.length };
}

export async function readArmFacts(api: ArmApi, target: RegistryTarget, recorder: Recorder, options: ArmReadOptions): Promise<Facts> {
  // Bounded by the budget whatever the SDK or the credential does (a token request stuck in a proxy, say).
  const call = <T>(fn: () => Promise<T>): Promise<T> => raceSignal(withRetryAfter(fn, options.budget, options.deadlineAt), options.budget);
  const [facts, logs] = await Promise.all([readConfiguration(api, target, recorder, options, call), readLoginEvents(api, target, recorder, options, call)]);
  return { ...facts, ...logs };
}

async function readConfiguration(
  api: ArmApi,
  target: RegistryTarget,
  recorder: Recorder,
  options: ArmReadOptions,
  call: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<Facts> {
  let registry: RegistryFacts | undefined;
  const first = await recorder.run('arm.registry', 'arm.registry', { registry: target.name }, async () => {
    try {
      const located = await locate(api, target, options, call);
      if ('searched' in located) return { status: 'warn', outcome: 'arm.registry.not-found', data: { subscriptions: located.searched } };
      registry = located;
      return {
        status: 'pass',
        outcome: 'arm.registry.ok',
        data: { id: registry.id, sku: registry.sku ?? '', location: registry.location ?? '', publicNetworkAccess: registry.publicNetworkAccess ?? '' },
      };
    } catch (err) {
      return armFailure(err, {}, api.explain?.(err, 'arm'));
    }
  });
  if (!registry) {
    const reason = first.outcome === 'arm.no-credentials' ? 'skip.arm-no-credentials' : 'skip.arm-registry-failed';
    for (const id of LATER) recorder.skip(id, id, {}, reason);
    if (options.aksCluster) recorder.skip('arm.aks', 'arm.aks', { cluster: options.aksCluster }, reason);
    return {};
  }
  const found = registry;
  const facts: Facts = {
    resourceId: found.id,
    ...(found.location ? { location: found.location } : {}),
    ...(found.sku ? { sku: found.sku } : {}),
    ...(found.publicNetworkAccess ? { publicNetworkAccess: found.publicNetworkAccess } : {}),
    ...(found.defaultAction ? { defaultAction: found.defaultAction } : {}),
    ipRules: found.ipRules,
    ...(found.bypass ? { bypass: found.bypass } : {}),
    ...(found.bypassForTasks !== undefined ? { bypassForTasks: found.bypassForTasks } : {}),
    ...(found.dataEndpointEnabled !== undefined ? { dataEndpointEnabled: found.dataEndpointEnabled } : {}),
    dataEndpoints: found.dataEndpoints,
    ...(found.roleAssignmentMode ? { roleAssignmentMode: found.roleAssignmentMode } : {}),
  };
  options.onRegistry?.(facts);

  const replications = recorder.run('arm.replications', 'arm.replications', {}, async () => {
    try {
      facts.replications = await call(() => api.replicationRegions(found.id, options.budget));
      return { status: 'pass', outcome: 'arm.replications.ok', data: { regions: facts.replications.join(', ') || '-' } };
    } catch (err) {
      return armFailure(err, {}, api.explain?.(err, 'arm'));
    }
  });

  const endpoints: PrivateEndpointFacts[] = [];
  const network = (async () => {
    if (found.privateEndpointIds.length === 0) {
      await recorder.run('arm.private-endpoints', 'arm.private-endpoints', {}, async () => ({ status: 'pass', outcome: 'arm.private-endpoints.none', data: {} }));
      recorder.skip('arm.private-dns', 'arm.private-dns', {}, 'skip.no-private-endpoints');
      return void recorder.skip('arm.provider', 'arm.provider', {}, 'skip.no-private-endpoints');
    }
    const read = await recorder.run('arm.private-endpoints', 'arm.private-endpoints', {}, async () => {
      try {
        endpoints.push(...(await Promise.all(found.privateEndpointIds.map((id) => call(() => api.privateEndpoint(id, options.budget))))));
        facts.privateEndpoints = endpoints;
        return { status: 'pass', outcome: 'arm.private-endpoints.ok', data: { count: endpoints.length, names: endpoints.map((e) => e.name).join(', ') } };
      } catch (err) {
        return armFailure(err, {}, api.explain?.(err, 'arm'));
      }
    });
    if (read.status !== 'pass') {
      recorder.skip('arm.private-dns', 'arm.private-dns', {}, 'skip.arm-registry-failed');
      return void recorder.skip('arm.provider', 'arm.provider', {}, 'skip.arm-registry-failed');
    }
    const reading = { api, recorder, options, call };
    await Promise.all([readZones(reading, endpoints, facts), readProviders(reading, found.id, endpoints, facts)]);
  })();

  await Promise.all([replications, network, readCluster({ api, recorder, options, call }, found.id, facts)]);
  return facts;
}

async function readZones({ api, recorder, options, call }: Reading, endpoints: PrivateEndpointFacts[], facts: Facts): Promise<void> {
  const zoneIds = [...new Map(endpoints.flatMap((e) => e.zoneIds).map((id) => [id.toLowerCase(), id])).values()];
  if (zoneIds.length === 0) return void recorder.skip('arm.private-dns', 'arm.private-dns', {}, 'skip.no-private-zones');
  await recorder.run('arm.private-dns', 'arm.private-dns', {}, async () => {
    try {
      const zones: PrivateZoneFacts[] = await Promise.all(zoneIds.map((id) => call(() => api.privateZone(id, options.budget))));
      facts.privateDnsZones = zones;
      return { status: 'pass', outcome: 'arm.private-dns.ok', data: { zones: zones.map((z) => z.name).join(', ') } };
    } catch (err) {
      return armFailure(err, {}, api.explain?.(err, 'arm'));
    }
  });
}

/** The provider must be registered in every other subscription whose VNet reaches the registry. */
async function readProviders({ api, recorder, options, call }: Reading, registryId: string, endpoints: PrivateEndpointFacts[], facts: Facts): Promise<void> {
  const own = parseResourceId(registryId)?.subscriptionId ?? '';
  const others = [
    ...new Set(endpoints.flatMap((e) => (e.vnetId ? [parseResourceId(e.vnetId)?.subscriptionId ?? ''] : [])).filter((s) => s && !sameId(s, own))),
  ];
  if (others.length === 0) return void recorder.skip('arm.provider', 'arm.provider', {}, 'skip.same-subscription');
  await recorder.run('arm.provider', 'arm.provider', {}, async () => {
    try {
      const states = await Promise.all(others.map(async (subscriptionId) => ({ subscriptionId, state: await call(() => api.providerState(subscriptionId, 'Microsoft.ContainerRegistry', options.budget)) })));
      facts.providerRegistrations = states;
      facts.providerRegistered = states.every((s) => s.state === 'Registered');
      return { status: 'pass', outcome: 'arm.provider.ok', data: { subscriptions: states.map((s) => `${s.subscriptionId}: ${s.state}`).join(', ') } };
    } catch (err) {
      return armFailure(err, {}, api.explain?.(err, 'arm'));
    }
  });
}
