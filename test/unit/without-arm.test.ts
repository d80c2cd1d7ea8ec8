import assert from 'node:assert/strict';
import { withoutArm } from '../../src/engine/report/vantages.js';
import { DENIED_EVIDENCE, sampleReport } from '../helpers/sample-report.js';

describe('a diagnosis without what another identity read in Azure', function () {
  it('drops the facts and the ARM checks, and the rules say only what the network showed', function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const resourceId = '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-secret/providers/Microsoft.ContainerRegistry/registries/myregistry';
    const read = {
      ...report,
      facts: { resourceId, defaultAction: 'Deny', ipRules: ['198.51.100.0/24'], publicNetworkAccess: 'Enabled', sku: 'Premium' },
      checks: [...report.checks, { id: 'arm.registry', title: 'ARM', status: 'pass' as const, outcome: 'arm.registry.ok', durationMs: 5, detail: 'Premium', data: { id: resourceId, sku: 'Premium', location: 'westeurope', publicNetworkAccess: 'Enabled' } }],
    };
    const seen = withoutArm(read, 'en');
    assert.deepEqual(seen.facts, {});
    assert.ok(seen.checks.every((c) => !c.id.startsWith('arm.')));
    assert.equal(seen.id, read.id, 'the same diagnosis, so the same ticket key');
    const text = JSON.stringify(seen);
    assert.ok(!text.includes('rg-secret') && !text.includes('198.51.100.0/24'), 'nothing of what ARM said remains');
    assert.ok(seen.findings.length > 0 && seen.findings.some((f) => JSON.stringify(f).includes('203.0.113.77')), 'what the network showed stays');
  });

  it('drops the data endpoints ARM named, probed or not: their names and regions are ARM\'s', function () {
    const report = sampleReport(DENIED_EVIDENCE);
    const host = 'myregistry.westeurope.data.azurecr.io';
    const read = {
      ...report,
      facts: { dataEndpoints: [host] },
      checks: [...report.checks, { id: `data:${host}`, title: `Data endpoint ${host}`, status: 'pass' as const, outcome: 'data.reachable', durationMs: 5, detail: 'reachable', data: { host } }],
    };
    assert.ok(!JSON.stringify(withoutArm(read, 'en')).includes('westeurope'));
  });
});
