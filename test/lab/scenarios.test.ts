/** Each scenario runs the real acr-check process against the staged world and checks its conclusion. */
import assert from 'node:assert/strict';
import type { Report } from '../../src/report/types.js';
import { assertValidReport } from '../helpers/validate-report.js';
import { assertIsolated } from './isolation.js';
import { runCli } from './run-cli.js';
import { expectedArm, expectedExchange, SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';

describe('lab: acr-check against staged worlds', function () {
  let lab: LabWorld;

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
  });

  after(async function () {
    await lab?.stop();
  });

  for (const scenario of SCENARIOS) {
    it(scenario.name, async function () {
      const run = await runCli([scenario.registry, '--json', ...(scenario.args ?? [])], worldFor(scenario, lab.pki.caPath));
      assert.equal(run.stderr, '', 'with --json and no terminal, nothing goes to stderr');
      const report = JSON.parse(run.stdout) as Report;
      assertValidReport(report);
      const texts = [...report.checks.flatMap((c) => [c.title, c.detail]), ...report.findings.flatMap((f) => [f.title, f.explanation, ...f.fixes.flatMap((x) => [x.title, ...x.commands])])];
      for (const text of texts) assert.doesNotMatch(text, /\{[a-zA-Z]+\}/, `unfilled placeholder in: ${text}`);
      const top = report.findings[0];
      const context = `${scenario.name}: ${JSON.stringify({ verdict: report.verdict, findings: report.findings.map((f) => f.rule), checks: report.checks.map((c) => `${c.id}=${c.outcome}`) })}`;
      assert.equal(report.verdict, scenario.expect.verdict, context);
      assert.equal(run.code, scenario.expect.exit, context);
      if (scenario.expect.verdict === 'healthy') {
        assert.ok(report.checks.every((c) => c.status !== 'fail'), context);
        assert.ok(report.checks.some((c) => c.outcome === 'v2.challenge'), context);
      }
      const exchange = report.checks.find((c) => c.id === 'exchange')!;
      assert.equal(exchange.outcome, expectedExchange(scenario), context);
      assert.equal(report.checks.find((c) => c.id === 'arm.registry')?.outcome, expectedArm(scenario), context);
      if (scenario.expect.rule) assert.equal(top?.rule, scenario.expect.rule, context);
      if (scenario.expect.cause) assert.equal(top?.cause, scenario.expect.cause, context);
      if (scenario.expect.title) assert.ok(top?.title.includes(scenario.expect.title), `${top?.title} should name ${scenario.expect.title}`);
      if (scenario.expect.command) {
        const commands = top?.fixes.flatMap((f) => f.commands) ?? [];
        assert.ok(commands.includes(scenario.expect.command), `${JSON.stringify(commands)} should include ${scenario.expect.command}`);
      }
      // Complete on time: the report accounts for every stage, within the budget it was given.
      assert.ok(report.durationMs <= report.budgetMs, `report took ${report.durationMs} ms of a ${report.budgetMs} ms budget`);
      const kinds = new Set(report.checks.map((c) => c.id.split(':')[0]));
      for (const kind of ['dns.system', 'dns.server', 'tls', 'v2', 'token', 'exchange']) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(',')}`);
      assert.ok(kinds.has(scenario.proxy ? 'proxy' : 'tcp'));
    });
  }
});
