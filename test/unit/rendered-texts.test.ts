/**
 * Every text the fronts render, for every check kind and outcome in src/engine/i18n, in en, ru and ar:
 * no `{placeholder}` reaches a user, the bot speaks of its own network, Arabic keeps commands,
 * errors and addresses left to right.
 */
import assert from 'node:assert/strict';
import { helpCard, progressCard, resultCard } from '../../cards/cards.js';
import { escalationSummaryCard } from '../../cards/escalation-cards.js';
import { renderHuman } from '../../src/cli/human.js';
import { progressLine } from '../../src/cli/progress.js';
import { catalog, has, LRI, PDI, t } from '../../src/engine/i18n/i18n.js';
import { progressView } from '../../src/engine/report/progress-view.js';
import { LANGS, type Lang, type Report } from '../../src/engine/report/types.js';
import { cardTexts, PLACEHOLDER } from '../helpers/card-texts.js';
import { everyOutcome, PLANNED_DATA, sampleReport } from '../helpers/sample-report.js';
import { sampleTicketRequest } from '../helpers/ticket-request.js';
import { SAMPLE_DOWNLOAD } from '../helpers/cli-download.js';
import { handoverCard } from '../../cards/handover-cards.js';
import type { CheckRef, ProgressSnapshot } from '../../src/engine/probes/evidence.js';

const OUTCOMES = Object.keys(catalog('en').outcomes as object);
const KINDS = Object.keys(catalog('en').checks as object);

/** How each language says the probes ran on "this machine" (any case, any grammatical case). */
const MACHINE: Record<Lang, RegExp> = {
  en: /this machine|from here\b|az login/iu,
  ru: /эт(а|ой|у|у?ю) машин|этот компьютер|отсюда|az login/iu,
  ar: /هذا الجهاز|هذه الآلة|من هنا|az login/iu,
};

function everything(lang: Lang): Report {
  return sampleReport(everyOutcome(OUTCOMES), lang, ['cli-cannot-connect']);
}

/** Every planned check, half of them running, none done: the start of a run. */
function started(): ProgressSnapshot {
  const refs: CheckRef[] = KINDS.map((kind) => ({ id: kind, kind, data: PLANNED_DATA[kind] ?? {} }));
  return { planned: refs.filter((_, i) => i % 2 === 0), running: refs.filter((_, i) => i % 2 === 1), done: [] };
}

/** Every text a user can read, from every front, for one language. */
function rendered(lang: Lang): [where: string, text: string][] {
  const report = everything(lang);
  const snapshot = started();
  const midway: ProgressSnapshot = { ...snapshot, done: everyOutcome(OUTCOMES) };
  const cards: [string, unknown][] = [
    ['result card (bot)', resultCard(report, 'bot', SAMPLE_DOWNLOAD)],
    ['result card (client)', resultCard(report, 'client', SAMPLE_DOWNLOAD)],
    ['result card, no file to hand out', resultCard(report, 'bot', { ...SAMPLE_DOWNLOAD, sha256: undefined })],
    ['result card, no public address', resultCard(report, 'bot', { ...SAMPLE_DOWNLOAD, botUrl: '' })],
    ['hand-over card', handoverCard(lang, 'myregistry', SAMPLE_DOWNLOAD, '7KQ2M-4XPZ0', 15)],
    ['progress card, at the start', progressCard(lang, 'myregistry.azurecr.io', progressView(lang, snapshot))],
    ['progress card, midway', progressCard(lang, 'myregistry.azurecr.io', progressView(lang, midway))],
    ['help card', helpCard(lang)],
    ['welcome card', helpCard(lang, { welcome: true })],
    ['escalation summary', escalationSummaryCard(lang, sampleTicketRequest({ lang, report }), 'azure')],
  ];
  const event = { type: 'start' as const, id: 'tls', kind: 'tls', progress: midway };
  return [
    ...cards.flatMap(([where, card]) => cardTexts(card).map((text): [string, string] => [where, text])),
    ...renderHuman(report, false).split('\n').map((line): [string, string] => ['CLI output', line]),
    ['CLI progress', progressLine(lang, t(lang, 'cli.running', { registry: 'myregistry.azurecr.io' }), event)],
  ];
}

describe('rendered texts', function () {
  it('the sample report holds every check kind and every outcome that has a text', function () {
    const report = everything('en');
    assert.deepEqual(new Set(report.checks.map((c) => c.outcome.replace(/^v2\.transport\./, 'transport.'))), new Set(OUTCOMES));
    for (const kind of KINDS) assert.ok(PLANNED_DATA[kind], `${kind}: what its checks carry when planned`);
  });

  for (const lang of LANGS) {
    it(`${lang}: no placeholder is left in any card or CLI text`, function () {
      const left = rendered(lang).filter(([, text]) => PLACEHOLDER.test(text));
      assert.deepEqual(left.map(([where, text]) => `${where}: ${text}`), []);
    });

    it(`${lang}: a check's title reads whole from what it carries when planned or skipped`, function () {
      for (const kind of KINDS) assert.doesNotMatch(t(lang, `checks.${kind}`, Object.fromEntries(Object.entries(PLANNED_DATA[kind] ?? {}).map(([k, v]) => [k, String(v)]))), PLACEHOLDER, kind);
    });

    it(`${lang}: the bot's own checks speak of the bot's network and what its operator grants, never of this machine or az login`, function () {
      const report = everything(lang);
      const bot = cardTexts(resultCard(report, 'bot', SAMPLE_DOWNLOAD)).join('\n');
      const machine = MACHINE[lang];
      assert.doesNotMatch(bot, machine);
      assert.ok(bot.includes(t(lang, 'botView.outcomes.skip.arm-no-credentials')), 'a skipped ARM check says what the operator grants');
      assert.match(bot, /Reader/);
      // The CLI keeps its own words: there "this machine" is the failing one.
      assert.ok(renderHuman(report, false).includes(t(lang, 'outcomes.arm.no-credentials')));
    });
  }

  it("every text that says 'this machine' or 'here' about the probes has the bot's words, in every language", function () {
    const flat = (section: string, tree: Record<string, unknown>, prefix = ''): [string, string][] =>
      Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${section}.${prefix}${k}`, v] as [string, string]] : flat(section, v as Record<string, unknown>, `${prefix}${k}.`)));
    const probeTexts = (lang: Lang): [string, string][] => {
      const tree = catalog(lang) as Record<string, Record<string, unknown>>;
      return ['outcomes', 'findings', 'fixes'].flatMap((s) => flat(s, tree[s]!)).concat([['cli.verdict.healthy', t(lang, 'cli.verdict.healthy')], ['cli.verdict.problem', t(lang, 'cli.verdict.problem')]]);
    };
    // A sentence may start with the words ("This machine has no route"), and ru/ar may say it where en words it otherwise.
    const machine = new Set(LANGS.flatMap((lang) => probeTexts(lang).filter(([, text]) => MACHINE[lang].test(text) || /--workspace|--subscription/.test(text)).map(([key]) => key)));
    assert.ok(machine.size > 5);
    // has(), not t(): t() falls back to English, which would hide a missing Russian or Arabic text.
    for (const lang of LANGS) for (const key of machine) assert.ok(has(lang, `botView.${key}`), `${lang}: botView.${key}`);
  });

  it('Arabic: every Latin run (command, address, error, name) sits in a left-to-right isolate', function () {
    const unisolated = (text: string): string[] => {
      let depth = 0;
      const out: string[] = [];
      let run = '';
      for (const ch of text) {
        if (ch === LRI || ch === '\u2068') depth++;
        else if (ch === PDI) depth--;
        else if (/[A-Za-z]/.test(ch) && depth === 0) run += ch;
        else if (run) {
          out.push(run);
          run = '';
        }
      }
      return run ? [...out, run] : out;
    };
    const texts = rendered('ar').filter(([, text]) => /\p{Script=Arabic}/u.test(text));
    assert.ok(texts.length > 50);
    const broken = texts.filter(([, text]) => unisolated(text).length > 0);
    assert.deepEqual(broken.map(([where, text]) => `${where}: ${text}`), []);
  });

  it('Arabic: a filled address or command keeps its characters in order inside the isolate', function () {
    const text = t('ar', 'cli.verdict.problem', { loginServer: 'myregistry.azurecr.io' });
    assert.ok(text.includes('\u2068myregistry.azurecr.io\u2069'), text);
    assert.ok(t('ar', 'outcomes.skip.arm-disabled').includes(`${LRI}--no-arm${PDI}`));
    assert.equal(t('en', 'cli.verdict.problem', { loginServer: 'r.azurecr.io' }), 'PROBLEM: r.azurecr.io is not fully reachable from this machine', 'English and Russian carry no controls');
    assert.doesNotMatch(t('ru', 'outcomes.arm.no-credentials'), /[\u2066-\u2069]/);
  });
});
