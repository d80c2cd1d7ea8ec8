/** ARM specifics that a scenario table alone does not show: the retry, and what was asked. */
import assert from 'node:assert/strict';
import type { Report } from '../../src/engine/report/types.js';
import { DROPPED_ADDRESSES, LAB_ADDRESSES as A } from './addresses.js';
import { assertDiscardReady } from './discard-device.js';
import { ARM_HOST } from './fake-arm.js';
import { LAB_AUTHORITY_HOST } from './fake-entra.js';
import { IMDS_ADDRESS, MANAGED_IDENTITY_CLIENT_ID, startFakeImds } from './fake-imds.js';
import { assertIsolated } from './isolation.js';
import { LAB_PROXY_CREDENTIALS, PROXY_PORT } from './proxies.js';
import { runCli } from './run-cli.js';
import { registryName, SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';
import { LAB_AKS, LAB_SUBSCRIPTION } from './fake-arm.js';

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

  it('--aks-cluster: the cluster\'s egress read from ARM; an address the IP rules do not allow gets its own command, beside the client\'s own finding', async function () {
    lab.arm.requests.length = 0;
    const result = await report('armdenied', ['--aks-cluster', 'rg-aks/aks-lab']);
    assert.equal(result.client.kind, 'aks', 'naming a cluster says where the client runs');
    const check = result.checks.find((c) => c.id === 'arm.aks');
    assert.equal(check?.outcome, 'arm.aks.ok', JSON.stringify(check));
    assert.equal(result.facts.aks?.kubeletObjectId, LAB_AKS.kubeletObjectId);
    const aks = result.findings.find((f) => f.rule === 'aks-egress-not-allowed');
    assert.ok(aks, JSON.stringify(result.findings.map((f) => f.rule)));
    assert.deepEqual(aks.fixes[0]?.commands, ['az acr network-rule add --name armdenied --ip-address 203.0.113.50']);
    assert.ok(result.findings.some((f) => f.rule === 'ip-not-in-rules'), 'the probing machine\'s own finding stays');
    const kubelet = result.findings.find((f) => f.rule === 'aks-kubelet-no-acrpull');
    assert.deepEqual(kubelet?.fixes.flatMap((f) => f.commands), [
      `az aks update --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aks-lab --attach-acr ${result.facts.resourceId}`,
      `az role assignment create --assignee-object-id ${LAB_AKS.kubeletObjectId} --assignee-principal-type ServicePrincipal --role AcrPull --scope ${result.facts.resourceId}`,
    ]);
    assert.ok(lab.arm.requests.some((r) => r.path.endsWith('/managedClusters/aks-lab')), 'the cluster was read in the registry\'s subscription');
    const without = await report('armdenied');
    assert.equal(without.checks.find((c) => c.id === 'arm.aks'), undefined, 'no cluster named, none read');
  });

  it('--client aks and a registry that answers: no trusted-services advice, but the check to run inside the cluster', async function () {
    const result = await report('healthyreg', ['--client', 'aks', '--symptom', 'azure-service-cannot-pull']);
    assert.deepEqual(result.findings.map((f) => f.rule), ['aks-check-in-cluster']);
    assert.match(result.findings[0]!.fixes[0]!.commands[0]!, /^az aks check-acr --subscription <aks-subscription-id> --resource-group <aks-resource-group> --name <aks-cluster> --acr healthyreg\.azurecr\.io$/);
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

  describe('Azure endpoints this machine cannot reach are named, with what happened', function () {
    /** A healthy registry path, with one Azure endpoint of the identity's or ARM's moved to `address`. */
    async function unreachable(
      variable: 'AZURE_AUTHORITY_HOST' | 'ARM_ENDPOINT' | 'LOG_ANALYTICS_ENDPOINT',
      host: string,
      address: string,
      args: string[] = [],
      registry = 'armmissing',
    ): Promise<{ report: Report; code: number | null }> {
      const scenario = SCENARIOS.find((s) => registryName(s) === registry)!;
      const world = worldFor(scenario, lab.pki.caPath);
      const run = await runCli([scenario.registry, '--json', ...(scenario.args ?? []), ...args], { ...world, hosts: [...(world.hosts ?? []), `${address} ${host}`], env: { ...world.env, [variable]: `https://${host}` } });
      return { report: JSON.parse(run.stdout) as Report, code: run.code };
    }

    function assertNamed(report: Report, checkId: string, outcome: string, host: string): void {
      const check = report.checks.find((c) => c.id === checkId);
      assert.equal(check?.outcome, outcome, JSON.stringify(report.checks.map((c) => `${c.id}=${c.outcome}`)));
      assert.ok(check?.detail.includes(host), `${checkId} names ${host}: ${check?.detail}`);
      assert.doesNotMatch(check?.detail ?? '', /deadline reached|\{\w+\}/);
    }

    function assertFinding(report: Report, host: string): void {
      const finding = report.findings.find((f) => f.rule === 'azure-endpoint-unreachable');
      assert.ok(finding, JSON.stringify(report.findings.map((f) => f.rule)));
      assert.equal(finding.cause, 'client-firewall-or-proxy');
      assert.equal(finding.confidence, 'medium');
      assert.ok(finding.title.includes(host), finding.title);
      const url = host === IMDS_ADDRESS ? `http://${host}/metadata/instance?api-version=2021-02-01` : `https://${host}/`;
      assert.ok(finding.fixes[0]?.commands.includes(`curl -sv --max-time 10 '${url}'`), JSON.stringify(finding.fixes[0]?.commands));
      assert.equal(report.findings[0], finding, 'the registry path is healthy: nothing outranks it');
      assert.ok(report.durationMs <= report.budgetMs, `report took ${report.durationMs} ms of a ${report.budgetMs} ms budget`);
      assert.ok(report.checks.some((c) => c.outcome === 'v2.challenge'), 'the registry path was still checked');
    }

    it('the Entra authority refuses: ARM and the token exchange say so at once, host named', async function () {
      const host = 'login.refusing.lab.example';
      const { report, code } = await unreachable('AZURE_AUTHORITY_HOST', host, A.refusing);
      assertNamed(report, 'arm.registry', 'arm.unreachable.refused', host);
      assertNamed(report, 'exchange', 'exchange.unreachable.refused', host);
      assert.ok(report.checks.find((c) => c.id === 'arm.registry')!.durationMs < 2000, 'a refusal is known at once, not at the deadline');
      assertFinding(report, host);
      assert.equal(code, 1);
    });

    it('the Entra authority black-holed (SYNs dropped): "no answer from <host> within N s", within the budget', async function () {
      assertDiscardReady();
      const host = 'login.dropped.lab.example';
      const { report } = await unreachable('AZURE_AUTHORITY_HOST', host, DROPPED_ADDRESSES.registry, ['--timeout', '3']);
      assertNamed(report, 'arm.registry', 'arm.unreachable.timeout', host);
      assertNamed(report, 'exchange', 'exchange.unreachable.timeout', host);
      assert.match(report.checks.find((c) => c.id === 'arm.registry')!.detail, /no answer from .* within \d+(\.\d)? s/);
      assertFinding(report, host);
    });

    it('ARM refuses: the ARM check names its host; the token exchange is not affected', async function () {
      const host = 'management.refusing.lab.example';
      const { report } = await unreachable('ARM_ENDPOINT', host, A.refusing);
      assertNamed(report, 'arm.registry', 'arm.unreachable.refused', host);
      assert.equal(report.checks.find((c) => c.id === 'exchange')?.outcome, 'exchange.ok');
      assertFinding(report, host);
    });

    it('Log Analytics refuses: the login-events check names its host; ARM was read', async function () {
      const host = 'api.refusing.lab.example';
      const { report } = await unreachable('LOG_ANALYTICS_ENDPOINT', host, A.refusing, [], 'armlogs');
      assertNamed(report, 'arm.login-events', 'arm.unreachable.refused', host);
      assert.equal(report.checks.find((c) => c.id === 'arm.registry')?.outcome, 'arm.registry.ok');
      const finding = report.findings.find((f) => f.rule === 'azure-endpoint-unreachable');
      assert.ok(finding?.title.includes(host), JSON.stringify(report.findings.map((f) => f.title)));
    });

    it('a managed identity whose IMDS refuses: named, not "no Azure identity found"', async function () {
      const scenario = SCENARIOS.find((s) => registryName(s) === 'armmissing')!;
      // A user-assigned managed identity's client id, and no secret: IMDS is where this machine signs in.
      const world = worldFor({ ...scenario, identity: undefined }, lab.pki.caPath);
      const run = await runCli([scenario.registry, '--json'], { ...world, env: { ...world.env, AZURE_CLIENT_ID: MANAGED_IDENTITY_CLIENT_ID } });
      const result = JSON.parse(run.stdout) as Report;
      assertNamed(result, 'arm.registry', 'arm.unreachable.refused', IMDS_ADDRESS);
      assertFinding(result, IMDS_ADDRESS);
    });

    describe('through a proxy that fails the request: the proxy and its answer are named, not the Azure host', function () {
      /** A healthy registry path with an identity whose Entra and ARM requests go through `proxy`. */
      async function throughProxy(proxy: string, noProxy: string): Promise<{ report: Report; stdout: string; code: number }> {
        const scenario = SCENARIOS.find((s) => registryName(s) === 'armmissing')!;
        const world = worldFor(scenario, lab.pki.caPath);
        const run = await runCli([scenario.registry, '--json', ...(scenario.args ?? [])], { ...world, env: { ...world.env, HTTPS_PROXY: proxy, NO_PROXY: noProxy } });
        return { report: JSON.parse(run.stdout) as Report, stdout: run.stdout, code: run.code };
      }

      function assertThroughProxy(report: Report, outcome: string, proxy: string, answer: RegExp): void {
        for (const [id, kind] of [['arm.registry', 'arm'], ['exchange', 'exchange']] as const) {
          const check = report.checks.find((c) => c.id === id);
          assert.equal(check?.outcome, `${kind}.unreachable.${outcome}`, JSON.stringify(report.checks.map((c) => `${c.id}=${c.outcome}`)));
          assert.ok(check?.detail.includes(LAB_AUTHORITY_HOST) && check.detail.includes(proxy), `${id}: ${check?.detail}`);
          assert.match(check?.detail ?? '', answer);
          assert.doesNotMatch(check?.detail ?? '', /refused the connection|no answer from|deadline|\{\w+\}/);
        }
      }

      function proxyFinding(report: Report, proxy: string): Report['findings'][number] {
        const finding = report.findings.find((f) => f.rule === 'azure-endpoint-unreachable');
        assert.ok(finding, JSON.stringify(report.findings.map((f) => f.rule)));
        assert.equal(report.findings[0], finding, 'the registry path is healthy: nothing outranks it');
        assert.ok(finding.title.includes(`${proxy} → ${LAB_AUTHORITY_HOST}:443`), finding.title);
        assert.ok(report.checks.some((c) => c.outcome === 'v2.challenge'), 'the registry path was still checked');
        return finding;
      }

      it('squid denies the Entra authority (403): ARM and the exchange say the proxy answered 403, the fix checks through it', async function () {
        const proxy = `http://${A.squid}:${PROXY_PORT}`;
        const { report, code } = await throughProxy(proxy, '169.254.169.254');
        assertThroughProxy(report, 'proxy-denied', proxy, /403/);
        const finding = proxyFinding(report, proxy);
        assert.equal(finding.fixes[0]?.commands[0], `curl -sv --max-time 10 --proxy '${proxy}' 'https://${LAB_AUTHORITY_HOST}/'`);
        assert.ok(finding.fixes[0]?.title.includes(proxy), finding.fixes[0]?.title);
        assert.equal(code, 1);
      });

      it('squid wants credentials (407): the proxy named without the ones given, the fix is credentials as <user>:<password>', async function () {
        const shown = `http://${A.authSquid}:${PROXY_PORT}`;
        // Wrong credentials: squid still answers 407, and what was given appears nowhere in the report.
        const given = `http://${LAB_PROXY_CREDENTIALS.user}:wr0ng-pa55@${A.authSquid}:${PROXY_PORT}`;
        const { report, stdout } = await throughProxy(given, `.azurecr.io,169.254.169.254`);
        assertThroughProxy(report, 'proxy-auth-required', shown.replace('http://', ''), /407/);
        const finding = proxyFinding(report, shown);
        assert.deepEqual(finding.fixes[0]?.commands, [`export HTTPS_PROXY='http://<user>:<password>@${A.authSquid}:${PROXY_PORT}'`, `curl -sv --max-time 10 --proxy "$HTTPS_PROXY" 'https://${LAB_AUTHORITY_HOST}/'`]);
        assert.doesNotMatch(stdout, /wr0ng-pa55|REDACTED:/);
        assert.doesNotMatch(JSON.stringify(finding), /REDACTED/);
      });
    });

    it('ARM black-holed (accepted, never answered): the ARM check names its host', async function () {
      const result = await report('armslow');
      assertNamed(result, 'arm.registry', 'arm.unreachable.timeout', ARM_HOST);
      assertFinding(result, ARM_HOST);
    });
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
