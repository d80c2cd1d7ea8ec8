/** Each scenario runs the real acr-check process against the staged world and checks its conclusion. */
import assert from 'node:assert/strict';
import type { Check, Report } from '../../src/engine/report/types.js';
import { assertValidReport } from '../helpers/validate-report.js';
import { DROPPED_ADDRESSES } from './addresses.js';
import { assertDiscardReady } from './discard-device.js';
import { assertIsolated } from './isolation.js';
import { runCli } from './run-cli.js';
import { expectedArm, expectedExchange, registryName, SCENARIOS, worldFor, type Scenario } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';

/** Room the engine keeps back from the budget to report; a check that waits for the deadline may end this much early. */
const REPORT_ROOM_MS = 1500;
/** How long after its budget the process may take to print the report (start-up and exit included). */
const PROCESS_SLACK_MS = 1000;
/** Checks whose requests go through the proxy when one is set. */
const THROUGH_PROXY = new Set(['proxy', 'v2', 'token', 'exchange', 'data']);
const PLACEHOLDER = /\{[\w.-]+\}/;
/** A message key shown instead of its text (the text is missing from the language file). */
const MESSAGE_KEY = /^(checks|outcomes|findings|fixes|causes|symptoms)\.[\w.-]+$/;

const kindOf = (check: Check): string => check.id.split(':')[0]!;

/** Every text of the report a user reads, with where it comes from. */
function renderedTexts(report: Report): [where: string, text: string][] {
  return [
    ...report.checks.flatMap((c): [string, string][] => [[`check ${c.id} title`, c.title], [`check ${c.id} detail`, c.detail]]),
    ...report.findings.flatMap((f): [string, string][] => [
      [`finding ${f.rule} title`, f.title],
      [`finding ${f.rule} explanation`, f.explanation],
      ...f.fixes.flatMap((x): [string, string][] => [[`fix title of ${f.rule}`, x.title], ...x.commands.map((c): [string, string] => [`command of ${f.rule}`, c])]),
    ]),
  ];
}

/** No text with a placeholder left, an `undefined`, or a redaction mark inside a command meant to be pasted. */
function assertTextsFilled(scenario: Scenario, report: Report): void {
  for (const [where, text] of renderedTexts(report)) {
    assert.doesNotMatch(text, PLACEHOLDER, `unfilled placeholder in ${where}: ${text}`);
    assert.doesNotMatch(text, /\bundefined\b/, `'undefined' in ${where}: ${text}`);
    assert.doesNotMatch(text, MESSAGE_KEY, `a message key instead of its text in ${where}: ${text}`);
    if (where.startsWith('command')) assert.ok(!text.includes('REDACTED'), `REDACTED in a command to paste: ${text}`);
  }
  const commands = report.findings.flatMap((f) => f.fixes.flatMap((x) => x.commands));
  // Values the run knows are filled in, not left as placeholders for the user to find.
  if (scenario.proxy) for (const c of commands) assert.ok(!c.includes('<proxy-url>'), `the proxy is known, yet: ${c}`);
  if (scenario.behaviour === 'denied') {
    for (const c of commands) assert.doesNotMatch(c, /<client-ip>|<your-public-ip>/, `ACR named the client IP, yet: ${c}`);
  }
}

function assertTopFinding(scenario: Scenario, report: Report, context: string): void {
  const { expect } = scenario;
  const top = report.findings[0];
  if (expect.rule) assert.equal(top?.rule, expect.rule, context);
  if (expect.cause) assert.equal(top?.cause, expect.cause, context);
  if (expect.title) assert.ok(top?.title.includes(expect.title), `${top?.title} should name ${expect.title}`);
  const said = `${top?.title ?? ''}\n${top?.explanation ?? ''}`;
  if (expect.mentions) assert.ok(said.includes(expect.mentions), `the top finding should name ${expect.mentions}: ${said}`);
  for (const text of expect.notInText ?? []) assert.ok(!said.includes(text), `the top finding should not say ${text}: ${said}`);
  const commands = top?.fixes.flatMap((f) => f.commands) ?? [];
  const shown = JSON.stringify(commands);
  if (expect.command) assert.ok(commands.includes(expect.command), `${shown} should include ${expect.command}`);
  for (const text of expect.commandMentions ?? []) assert.ok(commands.some((c) => c.includes(text)), `${shown} should mention ${text}`);
  if (expect.commandAny) assert.ok(commands.some((c) => expect.commandAny!.some((t) => c.includes(t))), `${shown} should use one of ${expect.commandAny.join(' | ')}`);
  const fixTexts = top?.fixes.flatMap((f) => [f.title, ...f.commands]) ?? [];
  for (const text of expect.notInFixes ?? []) {
    const hit = fixTexts.find((t) => t.toLowerCase().includes(text.toLowerCase()));
    assert.equal(hit, undefined, `no fix of ${top?.rule} should say ${text}`);
  }
}

/** The checks' own outcomes and timings: the staging shows through them, apart from the engine's conclusion. */
function assertChecks(scenario: Scenario, report: Report, context: string): void {
  const { expect } = scenario;
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  for (const [id, outcome] of Object.entries(expect.checks ?? {})) assert.equal(byId.get(id)?.outcome, outcome, `${id}: ${context}`);
  for (const id of expect.quick ?? []) {
    const check = byId.get(id);
    assert.ok(check && check.durationMs < report.budgetMs / 3, `${id} known at once, yet took ${check?.durationMs} ms of ${report.budgetMs} ms`);
  }
  if (expect.quickReport) assert.ok(report.durationMs < report.budgetMs / 3, `report took ${report.durationMs} ms of ${report.budgetMs} ms`);
  for (const id of expect.waitsForDeadline ?? []) {
    const check = byId.get(id);
    assert.ok(check && check.durationMs >= report.budgetMs - REPORT_ROOM_MS, `${id} gave up after ${check?.durationMs} ms of a ${report.budgetMs} ms budget`);
  }
  if (expect.proxyAnswered) {
    const through = report.checks.filter((c) => THROUGH_PROXY.has(kindOf(c)) && c.status !== 'skip');
    for (const check of through) {
      assert.ok(check.detail.includes(expect.proxyAnswered), `${check.id} should say the proxy answered ${expect.proxyAnswered}: ${check.detail}`);
      assert.doesNotMatch(`${check.outcome} ${check.detail}`, /timeout|timed out|deadline/i, `${check.id} says timeout after the proxy answered`);
    }
  }
}

/** One scenario for each rule the table expects on top: every finding's texts, run once per language. */
function onePerRule(scenarios: Scenario[]): Scenario[] {
  const seen = new Set<string>();
  return scenarios.filter((s) => s.expect.rule !== undefined && !seen.has(s.expect.rule) && seen.add(s.expect.rule));
}

/** Staged worlds that route an address into the discard device need it to really drop packets. */
function usesDroppedAddress(scenario: Scenario): boolean {
  const dropped = new Set<string>(Object.values(DROPPED_ADDRESSES));
  return Object.values(scenario.records ?? {}).some((records) => records.some((r) => dropped.has(r.data)));
}

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
      if (usesDroppedAddress(scenario)) assertDiscardReady();
      const run = await runCli([scenario.registry, '--json', ...(scenario.args ?? [])], worldFor(scenario, lab.pki.caPath));
      assert.equal(run.stderr, '', 'with --json and no terminal, nothing goes to stderr');
      const report = JSON.parse(run.stdout) as Report;
      assertValidReport(report);
      assertTextsFilled(scenario, report);
      const context = `${scenario.name}: ${JSON.stringify({ verdict: report.verdict, findings: report.findings.map((f) => f.rule), checks: report.checks.map((c) => `${c.id}=${c.outcome} (${c.durationMs} ms)`) })}`;
      assertChecks(scenario, report, context);
      assert.equal(report.verdict, scenario.expect.verdict, context);
      assert.equal(run.code, scenario.expect.exit, context);
      if (scenario.expect.verdict === 'healthy') {
        assert.ok(report.checks.every((c) => c.status !== 'fail'), context);
        assert.ok(report.checks.some((c) => c.outcome === 'v2.challenge'), context);
      }
      const exchange = report.checks.find((c) => c.id === 'exchange')!;
      assert.equal(exchange.outcome, expectedExchange(scenario), context);
      assert.equal(report.checks.find((c) => c.id === 'arm.registry')?.outcome, expectedArm(scenario), context);
      assertTopFinding(scenario, report, context);
      // Complete on time: the report accounts for every stage, within the budget it was given.
      assert.ok(report.durationMs <= report.budgetMs, `report took ${report.durationMs} ms of a ${report.budgetMs} ms budget`);
      assert.ok(run.wallMs <= report.budgetMs + PROCESS_SLACK_MS, `the process took ${Math.round(run.wallMs)} ms for a ${report.budgetMs} ms budget`);
      const kinds = new Set(report.checks.map(kindOf));
      for (const kind of ['dns.system', 'dns.server', 'tls', 'v2', 'token', 'exchange']) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(',')}`);
      assert.ok(kinds.has(scenario.proxy ? 'proxy' : 'tcp'));
    });
  }

  // The same conclusion in every language, and no text left unwritten (placeholders, message keys) in any.
  for (const scenario of onePerRule(SCENARIOS)) {
    it(`${scenario.expect.rule}: every text filled in Russian and Arabic (${registryName(scenario)})`, async function () {
      if (usesDroppedAddress(scenario)) assertDiscardReady();
      for (const lang of ['ru', 'ar']) {
        const run = await runCli([scenario.registry, '--json', '--lang', lang, ...(scenario.args ?? [])], worldFor(scenario, lab.pki.caPath));
        const report = JSON.parse(run.stdout) as Report;
        assert.equal(report.lang, lang);
        assert.equal(report.findings[0]?.rule, scenario.expect.rule, `${lang}: ${report.findings.map((f) => f.rule).join(', ')}`);
        assertTextsFilled(scenario, report);
      }
    });
  }
});
