/** Starts the lab's whole staged world inside the namespace, and stops it. */
import { LAB_ADDRESSES as A } from './addresses.js';
import { startAcrFront, type RegistryBehaviour } from './acr-front.js';
import { ARM_HOST, startFakeArm, type ArmRegistryFixture, type RunningArm } from './fake-arm.js';
import { LAB_AUTHORITY_HOST, startFakeEntra } from './fake-entra.js';
import { LOG_ANALYTICS_HOST, startFakeLogAnalytics, type StagedLoginFailure } from './fake-log-analytics.js';
import { LabZone, startDnsServer, startSilentDnsServer } from './dns-server.js';
import { startOciRegistry, type OciRegistry } from './oci-registry.js';
import { createLabPki, type LabPki } from './pki.js';
import {
  LAB_PROXY_CREDENTIALS,
  startBlackHole,
  startEofProxy,
  startInterceptingProxy,
  startSquid,
  startStallingServer,
  startWrongCertificateServer,
} from './proxies.js';
import { DENIED_BY_SQUID, registryName, SCENARIOS, type Scenario } from './scenarios.js';

export interface LabWorld {
  pki: LabPki;
  zone: LabZone;
  registry: OciRegistry;
  arm: RunningArm;
  stop(): Promise<void>;
}

export function zoneFor(scenarios: Scenario[]): LabZone {
  const zone = new LabZone();
  for (const scenario of scenarios) {
    for (const [name, records] of Object.entries(scenario.records ?? {})) {
      if (!zone.records.has(name)) zone.add(name, ...records);
    }
    for (const [name, behaviour] of Object.entries(scenario.dnsFailures ?? {})) zone.stage(name, behaviour);
  }
  return zone;
}

export async function startLabWorld(scenarios: Scenario[] = SCENARIOS): Promise<LabWorld> {
  const pki = createLabPki();
  const zone = zoneFor(scenarios);
  const registries: Record<string, RegistryBehaviour> = {};
  for (const s of scenarios) if (s.behaviour) registries[`${registryName(s)}.azurecr.io`] = s.behaviour;
  const dataEndpoints = [...zone.records.keys()].filter((name) => name.includes('.data.'));

  const fixtures: Record<string, ArmRegistryFixture> = {};
  const loginFailures: Record<string, StagedLoginFailure[]> = {};
  for (const s of scenarios) if (s.arm) fixtures[registryName(s)] = s.arm;
  for (const s of scenarios) if (s.loginFailures) loginFailures[`${registryName(s)}.azurecr.io`] = s.loginFailures;
  const stoppers: { close(): Promise<void> }[] = [];
  let arm: RunningArm | undefined;
  const registry = await startOciRegistry(pki);
  stoppers.push({ close: () => registry.stop() });
  try {
    const config = { registries, dataEndpoints, backend: registry };
    zone.add(LAB_AUTHORITY_HOST, { type: 'A', data: A.entra });
    zone.add(ARM_HOST, { type: 'A', data: A.arm });
    arm = await startFakeArm(A.arm, pki.arm, fixtures);
    stoppers.push(arm);
    zone.add(LOG_ANALYTICS_HOST, { type: 'A', data: A.logAnalytics });
    stoppers.push(await startFakeLogAnalytics(A.logAnalytics, pki.logAnalytics, loginFailures));
    stoppers.push(await startDnsServer(A.dns, zone));
    stoppers.push(await startFakeEntra(A.entra, pki.entra));
    stoppers.push(await startSilentDnsServer(A.deadDns));
    stoppers.push(await startAcrFront(A.registry, pki.registry, config));
    stoppers.push(await startAcrFront(A.dataEndpoint, pki.registry, config));
    // Private endpoint NICs that exist: ACR answers there as on its public addresses.
    stoppers.push(await startAcrFront(A.privateDataEndpoint, pki.registry, config));
    stoppers.push(await startAcrFront(A.privateLoginServer, pki.registry, config));
    stoppers.push(await startStallingServer(A.stalled, pki.registry));
    stoppers.push(await startWrongCertificateServer(A.wrongCertificate, pki.wrongName));
    stoppers.push(await startBlackHole(A.blackHole));
    stoppers.push(await startEofProxy(A.eofProxy));
    stoppers.push(await startInterceptingProxy(A.interceptingProxy, pki.intercepted));
    stoppers.push(await startSquid(A.squid, A.dns, DENIED_BY_SQUID));
    stoppers.push(await startSquid(A.authSquid, A.dns, [], LAB_PROXY_CREDENTIALS));
  } catch (err) {
    await Promise.allSettled(stoppers.map((s) => s.close()));
    throw err;
  }
  return {
    pki,
    zone,
    registry,
    arm: arm!,
    stop: async () => {
      await Promise.allSettled(stoppers.reverse().map((s) => s.close()));
    },
  };
}
