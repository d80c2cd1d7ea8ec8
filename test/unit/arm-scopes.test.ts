import assert from 'node:assert/strict';
import { armDecision, readArmPolicy } from '../../src/engine/azure/arm-policy.js';
import { inScopes, normalizeScope, OutOfScopeError, scopedArmApi } from '../../src/engine/arm/scoped-api.js';
import type { ArmApi } from '../../src/engine/arm/sdk.js';

const SUB = '0b1f6471-1bf0-4dda-aec3-111122223333';
const OTHER = '5e1f0000-aaaa-4bbb-8ccc-444455556666';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-acr`;

describe('ARM access: modes and scope map', function () {
  it('reads ARM_ACCESS and ARM_SCOPES, refusing what it cannot understand with the reason', function () {
    assert.deepEqual(readArmPolicy({}, false), { mode: 'bot', rules: [], unrestricted: true }, 'the local bot reads as its developer');
    assert.deepEqual(readArmPolicy({}, true), { mode: 'bot', rules: [], unrestricted: false }, 'authenticated without a map: nobody reads');
    assert.equal(readArmPolicy({ ARM_SCOPES: '*' }, true).unrestricted, true);
    assert.equal(readArmPolicy({ ARM_ACCESS: 'none', ARM_SCOPES: '*' }, false).mode, 'none');
    const policy = readArmPolicy({ ARM_SCOPES: JSON.stringify([{ tenant: 't1', scopes: [`${RG.toUpperCase()}/`] }]) }, true);
    assert.deepEqual(policy.rules, [{ tenant: 't1', scopes: [RG.toLowerCase()] }]);
    assert.throws(() => readArmPolicy({ ARM_ACCESS: 'admin' }, true), /ARM_ACCESS must be one of user, bot, none/);
    assert.throws(() => readArmPolicy({ ARM_ACCESS: 'user' }, true), /needs SSO_CONNECTION_NAME and SSO_APP_ID/);
    assert.deepEqual(readArmPolicy({}, true, true), { mode: 'user', rules: [], unrestricted: false }, 'with single sign-on, the asker\'s own rights by default');
    assert.deepEqual(armDecision(readArmPolicy({}, true, true), { tenantId: 't9' }), { read: true, asUser: true });
    assert.throws(() => readArmPolicy({ ARM_SCOPES: '{not json' }, true), /ARM_SCOPES must be JSON/);
    assert.throws(() => readArmPolicy({ ARM_SCOPES: JSON.stringify([{ scopes: [RG] }]) }, true), /names no tenant, team or channel/);
    assert.throws(() => readArmPolicy({ ARM_SCOPES: JSON.stringify([{ tenant: 't', scopes: ['/subscriptions/x'] }]) }, true), /is not \/subscriptions\/<id>/);
  });

  it('gives the asker the scopes of every rule that matches their tenant, team and channel', function () {
    const policy = readArmPolicy({ ARM_SCOPES: JSON.stringify([{ tenant: 't1', scopes: [RG] }, { tenant: 't1', channel: 'c9', scopes: [`/subscriptions/${OTHER}`] }, { team: 'team-2', scopes: [`/subscriptions/${OTHER}`] }]) }, true);
    assert.deepEqual(armDecision(policy, { tenantId: 't1' }), { read: true, scopes: [RG.toLowerCase()] });
    assert.deepEqual(armDecision(policy, { tenantId: 't1', channelId: 'c9' }), { read: true, scopes: [RG.toLowerCase(), `/subscriptions/${OTHER}`] });
    assert.deepEqual(armDecision(policy, { tenantId: 't2', teamId: 'team-2' }), { read: true, scopes: [`/subscriptions/${OTHER}`] });
    assert.deepEqual(armDecision(policy, { tenantId: 't2' }), { read: false, reason: 'skip.arm-no-scope' });
    assert.deepEqual(armDecision(readArmPolicy({ ARM_ACCESS: 'none' }, false), {}), { read: false, reason: 'skip.arm-mode-none' });
  });

  it('a scoped reader refuses everything outside its scopes before any call, and lists only what is inside', async function () {
    const called: string[] = [];
    const record = <T>(what: string, value: T): Promise<T> => (called.push(what), Promise.resolve(value));
    const api: ArmApi = {
      subscriptions: () => record('subscriptions', [SUB, OTHER]),
      registriesIn: (s) => record(`list ${s}`, [{ id: `${RG}/providers/Microsoft.ContainerRegistry/registries/a`, name: 'a' }, { id: `/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.ContainerRegistry/registries/b`, name: 'b' }] as never),
      registry: (id) => record(`get ${id}`, {} as never),
      replicationRegions: (id) => record(`replicas ${id}`, []),
      privateEndpoint: (id) => record(`pe ${id}`, {} as never),
      privateZone: (id) => record(`zone ${id}`, {} as never),
      providerState: (s) => record(`provider ${s}`, 'Registered'),
      managedCluster: (id) => record(`aks ${id}`, {} as never),
      pullRoles: (scope) => record(`roles ${scope}`, []),
      clustersIn: (s) => record(`clusters ${s}`, [{ id: `${RG}/providers/Microsoft.ContainerService/managedClusters/in`, name: 'in' }, { id: `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/out`, name: 'out' }]),
      publicAddress: (id) => record(`ip ${id}`, undefined),
      natGateway: (id) => record(`nat ${id}`, []),
      virtualNetwork: (id) => record(`vnet ${id}`, {} as never),
      routes: (id) => record(`routes ${id}`, []),
      firewallsIn: (s) => record(`firewalls ${s}`, [{ id: `/subscriptions/${SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/azureFirewalls/fw`, name: 'fw', privateIps: [], publicIpIds: [], publicIps: [] }]),
    };
    const signal = new AbortController().signal;
    const scoped = scopedArmApi(api, [normalizeScope(RG)!]);
    assert.deepEqual(await scoped.subscriptions(signal), [SUB]);
    assert.deepEqual((await scoped.registriesIn(SUB, signal)).map((r) => r.name), ['a']);
    assert.deepEqual((await scoped.clustersIn(SUB, signal)).map((c) => c.name), ['in'], 'a cluster outside the scopes is not offered');
    assert.deepEqual(await scoped.firewallsIn(SUB, signal), [], 'nor a firewall outside them');
    await scoped.registry(`${RG}/providers/Microsoft.ContainerRegistry/registries/a`, signal);
    const before = called.length;
    await assert.rejects(scoped.registry(`/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.ContainerRegistry/registries/b`, signal), OutOfScopeError);
    await assert.rejects(scoped.privateZone(`/subscriptions/${SUB}/resourceGroups/rg-acr2/providers/Microsoft.Network/privateDnsZones/x`, signal), OutOfScopeError, 'rg-acr2 is not rg-acr');
    await assert.rejects(scoped.registriesIn(OTHER, signal), OutOfScopeError);
    await assert.rejects(scoped.virtualNetwork(`/subscriptions/${SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub`, signal), OutOfScopeError);
    await assert.rejects(scoped.routes(`/subscriptions/${SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/routeTables/rt`, signal), OutOfScopeError);
    await assert.rejects(scoped.publicAddress(`/subscriptions/${SUB}/resourceGroups/MC_x/providers/Microsoft.Network/publicIPAddresses/ip`, signal), OutOfScopeError);
    await assert.rejects(scoped.providerState(SUB, 'Microsoft.ContainerRegistry', signal), OutOfScopeError, 'a resource group does not cover its subscription');
    assert.equal(called.length, before, 'nothing outside the scope was asked of ARM');
    assert.ok(inScopes(`/SUBSCRIPTIONS/${SUB}/resourceGroups/RG-ACR/providers/x/y/z`, [RG.toLowerCase()]));
  });
});
