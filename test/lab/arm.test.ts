/** ARM specifics that a scenario table alone does not show: the retry, and what was asked. */
import assert from 'node:assert/strict';
import type { Report } from '../../src/report/types.js';
import { startFakeImds } from './fake-imds.js';
import { assertIsolated } from './isolation.js';
import { runCli } from './run-cli.js';
import { registryName, SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';

describe('lab: ARM', function () {
  let lab: LabWorld;
  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
  });
  after(() => lab?.stop());

  async function report(registry: string, extra: string[] = []): Promise<Report> {
    const scenario = SCENARIOS.find((s) => registryName(s) === registry)!;
    const run = await runCli([scenario.registry, '--json', ...(scenario.args ?? []), ...extra], worldFor(scenario, lab.pki.caPath));
    return JSON.parse(run.stdout) as Report;
  }

  it('waits out a Retry-After that fits the budget, then reads the registry', async function () {
    lab.arm.requests.length = 0;
    const result = await report('armretry');
    const gets = lab.arm.requests.filter((r) => r.path.endsWith('/registries/armretry'));
    assert.equal(gets.length, 2, 'one 429, one retry');
    const check = result.checks.find((c) => c.id === 'arm.registry')!;
    assert.equal(check.outcome, 'arm.registry.ok');
    assert.ok(check.durationMs >= 1000, `waited the 1 s Retry-After (${check.durationMs} ms)`);
  });

  it('--no-arm reads nothing from ARM', async function () {
    lab.arm.requests.length = 0;
    const result = await report('armdenied', ['--no-arm']);
    assert.equal(lab.arm.requests.length, 0);
    assert.equal(result.checks.find((c) => c.id === 'arm.registry')?.outcome, 'skip.arm-disabled');
    assert.equal(result.findings[0]?.rule, 'public-access-denied', 'without facts, the probes alone still name the cause');
  });

  it('--subscription narrows the search to one subscription', async function () {
    lab.arm.requests.length = 0;
    await report('armdenied', ['--subscription', '0b1f6471-1bf0-4dda-aec3-111122223333']);
    assert.ok(!lab.arm.requests.some((r) => r.path === '/subscriptions'), 'no subscription listing');
    assert.deepEqual(
      lab.arm.requests.filter((r) => r.path.endsWith('/providers/Microsoft.ContainerRegistry/registries')).map((r) => r.path),
      ['/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.ContainerRegistry/registries'],
      'only that subscription is searched',
    );
  });

  it('reads recent failed logins from the workspace, and only with one configured', async function () {
    const withLogs = await report('armlogs');
    assert.equal(withLogs.checks.find((c) => c.id === 'arm.login-events')?.outcome, 'arm.login-events.ok');
    assert.equal(withLogs.facts.loginFailures?.[0]?.callerIp, '52.160.10.20');
    assert.equal(withLogs.facts.loginFailures?.[0]?.identity, 'aks-agentpool-kubelet');
    const without = await report('armdenied');
    assert.equal(without.checks.find((c) => c.id === 'arm.login-events')?.outcome, 'skip.no-workspace');
  });

  it('signs in with a managed identity from the instance metadata service', async function () {
    const imds = await startFakeImds();
    try {
      const scenario = SCENARIOS.find((s) => registryName(s) === 'armdenied')!;
      const run = await runCli([scenario.registry, '--json'], { ...worldFor({ ...scenario, identity: undefined }, lab.pki.caPath) });
      const result = JSON.parse(run.stdout) as Report;
      assert.ok(imds.tokens() >= 1, 'a token came from IMDS');
      assert.equal(result.checks.find((c) => c.id === 'arm.registry')?.outcome, 'arm.registry.ok');
      assert.equal(result.checks.find((c) => c.id === 'exchange')?.outcome, 'exchange.denied');
      assert.equal(result.findings[0]?.rule, 'ip-not-in-rules');
    } finally {
      await imds.close();
    }
  });

  it('puts the facts it read into the report', async function () {
    const result = await report('armreplica');
    assert.equal(result.facts.sku, 'Premium');
    assert.deepEqual(result.facts.replications, ['westeurope', 'eastus']);
    assert.deepEqual(result.facts.dataEndpoints, ['armreplica.westeurope.data.azurecr.io', 'armreplica.eastus.data.azurecr.io']);
    assert.deepEqual(result.facts.privateDnsZones?.[0]?.records, { armreplica: ['10.1.0.4'], 'armreplica.westeurope.data': ['10.1.0.5'] });
    assert.ok(result.checks.some((c) => c.id === 'data:armreplica.eastus.data.azurecr.io'), 'data endpoints from ARM are probed too');
  });
});
