import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import fc from 'fast-check';
import { clientReportCard, handoverCard } from '../../cards/handover-cards.js';
import { HandoverCodes } from '../../src/bot/handover-codes.js';
import { normalizeCode, parseBotUrl, reportsUrl } from '../../src/handover/protocol.js';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { LANGS, type Report } from '../../src/engine/report/types.js';
import { reportProblems } from '../../src/engine/report/validate.js';
import { clientView, evidenceOf } from '../../src/engine/report/vantages.js';
import { DENIED_EVIDENCE, evidenceHolding, HEALTHY_EVIDENCE, sampleReport } from '../helpers/sample-report.js';
import { assertShownAsText, HOSTILE, markdownTexts, textRuns } from '../helpers/card-texts.js';
import { SAMPLE_DOWNLOAD } from '../helpers/cli-download.js';
import { assertValidCard } from '../helpers/validate-card.js';

/** The failing machine: its hosts file pins a stale address, and TCP to it times out. */
const CLIENT_EVIDENCE: Evidence[] = [
  { id: 'dns.system', kind: 'dns.system', status: 'pass', outcome: 'dns.system.ok', durationMs: 3, data: { host: 'myregistry.azurecr.io', addresses: [{ address: '10.0.0.7', family: 4, class: 'private' }], source: 'hosts' } },
  { id: 'tcp:10.0.0.7', kind: 'tcp', status: 'fail', outcome: 'tcp.timeout', durationMs: 2000, data: { address: '10.0.0.7', port: 443, class: 'private' } },
];

describe('the client report beside the bot view', function () {
  it('re-runs the rules over the client evidence and shows only where the two views differ', function () {
    const client = sampleReport(CLIENT_EVIDENCE);
    const bot = sampleReport(HEALTHY_EVIDENCE);
    const view = clientView(client, 'en', bot);
    assert.equal(view.verdict, 'problem');
    assert.ok(view.findings.length > 0, 'the rules found a cause in the client evidence');
    const dns = view.differences.find((d) => d.kind === 'dns.system')!;
    assert.match(dns.there, /10\.0\.0\.7/);
    assert.match(dns.here, /20\.45\.122\.144/);
    assert.ok(view.differences.some((d) => d.kind === 'tcp'));
    assert.ok(!view.differences.some((d) => d.kind === 'tls' && d.there === d.here));
    assert.deepEqual(clientView(bot, 'en', sampleReport(HEALTHY_EVIDENCE)).differences, [], 'the same evidence: no differences');
  });

  it('facts only the bot could read take part in the re-run', function () {
    const client = sampleReport(DENIED_EVIDENCE);
    const bot = sampleReport(HEALTHY_EVIDENCE);
    bot.facts = { defaultAction: 'Deny', ipRules: ['198.51.100.0/24'], publicNetworkAccess: 'Enabled', sku: 'Premium' };
    const rules = clientView(client, 'en', bot).findings.map((f) => f.rule);
    assert.ok(rules.includes('ip-not-in-rules'), `the client's IP checked against the bot's ARM facts: ${rules.join(', ')}`);
  });

  it('leaves out checks of kinds it does not know (an upload names any id it likes)', function () {
    const client = sampleReport(DENIED_EVIDENCE);
    client.checks.push({ ...client.checks[0]!, id: 'made.up:x' });
    assert.ok(!evidenceOf(client).some((e) => e.id === 'made.up:x'));
  });

  for (const lang of LANGS) {
    it(`${lang}: the hand-over and client report cards are valid; commands stay left to right`, function () {
      const card = handoverCard(lang, 'myregistry', SAMPLE_DOWNLOAD, '7KQ2M-4XPZ0', 15);
      assertValidCard(card);
      const sha = SAMPLE_DOWNLOAD.sha256!;
      const args = 'myregistry --send https://bot.contoso.com --code 7KQ2M-4XPZ0';
      const commands = textRuns(card).filter((c) => c.includes('acr-check.mjs'));
      assert.deepEqual(commands.slice(0, 2), [
        `curl -fsSLo acr-check.mjs https://bot.contoso.com/acr-check.mjs && echo "${sha}  acr-check.mjs" | sha256sum -c - && node acr-check.mjs ${args}`,
        `$ProgressPreference = 'SilentlyContinue'; Invoke-WebRequest -UseBasicParsing -Uri https://bot.contoso.com/acr-check.mjs -OutFile acr-check.mjs; if ((Get-FileHash -Algorithm SHA256 acr-check.mjs).Hash -eq '${sha}') { node acr-check.mjs ${args} } else { Write-Error 'acr-check.mjs: SHA-256 does not match; not run' }`,
      ]);
      assert.ok(commands[2]!.startsWith('kubectl run acr-check-7kq2m4xpz0 --rm -i --restart=Never --image=mcr.microsoft.com/azurelinux/base/nodejs:20 --command \'--\' node -e \''), commands[2]);
      assert.ok(commands[2]!.endsWith(`' ${args}`) && commands[2]!.includes(sha), commands[2]);
      assert.equal(commands.length, 3);
      assert.deepEqual(markdownTexts(card).filter((x) => x.includes('acr-check.mjs')), [], 'commands are TextRuns, never markdown');
      assert.ok(!JSON.stringify(card).includes('npx'), 'nothing from npm');
      // Each command in its own left-to-right column, also in an Arabic card.
      const columns = JSON.stringify(card).match(/"type":"Column","rtl":false,"items":\[\{"type":"RichTextBlock","inlines":\[\{"type":"TextRun","text":"[^"]*acr-check\.mjs/g) ?? [];
      assert.equal(columns.length, 3);
      const client = sampleReport(CLIENT_EVIDENCE, lang);
      assertValidCard(clientReportCard(lang, client, clientView(client, lang, sampleReport(HEALTHY_EVIDENCE, lang)), true));
      assertValidCard(clientReportCard(lang, client, clientView(client, lang), false));
    });
  }

  it('nothing uploaded is read as markdown or as a template', function () {
    const client = sampleReport(CLIENT_EVIDENCE);
    const hostile = '[click here](https://evil.example) **urgent** ${labels.escalate} <at>everyone</at>';
    client.client.hostname = hostile;
    const card = clientReportCard('en', client, clientView(client, 'en', sampleReport(HEALTHY_EVIDENCE)), true);
    const places: { type?: string; text?: string }[] = [];
    const walk = (node: unknown, parent?: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, parent));
      if (!node || typeof node !== 'object') return;
      const n = node as { type?: string; text?: string };
      if (typeof n.text === 'string' && n.text.includes('evil.example')) places.push({ type: n.type ?? parent ?? '' });
      Object.values(node).forEach((v) => walk(v, n.type));
    };
    walk(card);
    assert.ok(places.length > 0);
    assert.ok(places.every((p) => p.type === 'TextRun'), `uploaded text only in TextRuns (never markdown): ${JSON.stringify(places)}`);
    assert.ok(JSON.stringify(card).includes('${labels.escalate}'), 'a template expression in the upload stays literal');
  });

  for (const lang of LANGS) {
    it(`${lang}: an upload's DNS names, certificate, DENIED message and errors reach the card only as TextRuns`, function () {
      const client = sampleReport(evidenceHolding(HOSTILE), lang);
      client.client.hostname = HOSTILE;
      // An upload names any server it likes: the check's title (a difference's heading) carries it.
      for (const check of client.checks) if (check.id === 'tls') check.data = { ...check.data, servername: HOSTILE };
      const view = clientView(client, lang, sampleReport(HEALTHY_EVIDENCE, lang));
      assert.ok(view.differences.length > 0 && view.findings.length > 0);
      const card = clientReportCard(lang, client, view, true);
      assertValidCard(card);
      assert.equal(card.rtl, lang === 'ar');
      assertShownAsText(card, 'client report');
    });
  }
});

describe('hand-over codes', function () {
  it('work once, for their conversation, until they expire; of two uses at once one wins', async function () {
    const codes = new HandoverCodes(new MemoryStorage(), 60_000);
    const handover = { diagnosisId: 'd1', loginServer: 'myregistry.azurecr.io', lang: 'en' as const, conversation: { conversation: { id: 'conv-a', isGroup: false, name: '', conversationType: 'personal' } } };
    const { code } = await codes.issue(handover, 0);
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.equal((await codes.check(code.toLowerCase(), 1000)).ok, true, 'typed in lower case');
    assert.deepEqual(await codes.check(code, 60_001), { ok: false, reason: 'expired' });
    const both = await Promise.all([codes.redeem(code, 1000), codes.redeem(code, 1000)]);
    assert.deepEqual(both.map((r) => r.ok).sort(), [false, true]);
    assert.deepEqual(await codes.redeem(code, 2000), { ok: false, reason: 'used' });
    assert.deepEqual(await codes.redeem('ZZZZZ-ZZZZZ', 2000), { ok: false, reason: 'unknown' });
    assert.deepEqual(await codes.redeem('not a code', 2000), { ok: false, reason: 'unknown' });
  });

  it('--send takes https, or http to this machine only; codes forgive O/0 and I/1', function () {
    assert.equal(parseBotUrl('http://bot.contoso.com'), undefined);
    assert.equal(parseBotUrl('https://user:pw@bot.contoso.com'), undefined);
    assert.equal(reportsUrl(parseBotUrl('https://bot.contoso.com/acr/api/messages')!), 'https://bot.contoso.com/acr/api/reports');
    assert.equal(reportsUrl(parseBotUrl('http://127.0.0.1:3978')!), 'http://127.0.0.1:3978/api/reports');
    assert.equal(normalizeCode(' 7kq2m-4xpzo '), '7KQ2M-4XPZ0');
    assert.equal(normalizeCode('7KQ2M4XPZ0'), undefined);
  });
});

describe('the report validator (property-based)', function () {
  const base = (): Report => sampleReport(DENIED_EVIDENCE);
  const REQUIRED = ['schemaVersion', 'id', 'tool', 'lang', 'registry', 'startedAt', 'durationMs', 'budgetMs', 'symptoms', 'client', 'checks', 'facts', 'findings', 'verdict'] as const;

  it('accepts every report the rules and renderers make, in every language, from any subset of the evidence', function () {
    const all = [...DENIED_EVIDENCE, ...CLIENT_EVIDENCE];
    fc.assert(
      fc.property(fc.subarray(all), fc.constantFrom(...LANGS), (evidence, lang) => reportProblems(sampleReport(evidence, lang)) === undefined),
      { numRuns: 150 },
    );
  });

  it('refuses a report with a required field missing, of the wrong type, or an extra one', function () {
    const junk = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.constantFrom(...REQUIRED), junk, (field, value) => {
        const missing = Object.fromEntries(Object.entries(base()).filter(([k]) => k !== field));
        const wrong = { ...base(), [field]: value } as unknown as Record<string, unknown>;
        const sameType = typeof value === typeof (base() as unknown as Record<string, unknown>)[field] && Array.isArray(value) === Array.isArray((base() as unknown as Record<string, unknown>)[field]);
        return reportProblems(missing) !== undefined && (sameType || reportProblems(wrong) !== undefined);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(REQUIRED as readonly string[]).includes(k) && !['__proto__'].includes(k)), (extra) => reportProblems({ ...base(), [extra]: 1 }) !== undefined),
    );
  });

  it('refuses what is no report at all', function () {
    fc.assert(fc.property(fc.anything(), (value) => reportProblems(value) !== undefined));
  });
});
