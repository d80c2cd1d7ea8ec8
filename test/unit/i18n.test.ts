import assert from 'node:assert/strict';
import { catalog, has, langFromEnv, t } from '../../src/engine/i18n/i18n.js';
import { knowledge } from '../../src/engine/knowledge/knowledge.js';
import { outcomeKey } from '../../src/engine/report/render.js';
import { LANGS } from '../../src/engine/report/types.js';
import { baseParams } from '../../src/engine/rules/evaluate.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';
import { OUTCOME_CODES } from '../../src/engine/probes/outcomes.js';

type Tree = { [key: string]: string | Tree };
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of leaves(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('texts in en, ru and ar', function () {
  const en = leaves(catalog('en') as Tree);

  for (const lang of LANGS) {
    it(`${lang}: the same keys as English, with the same placeholders`, function () {
      const other = leaves(catalog(lang) as Tree);
      assert.deepEqual([...other.keys()].sort(), [...en.keys()].sort());
      for (const [key, text] of en) assert.deepEqual(placeholders(other.get(key)!), placeholders(text), `${lang} ${key}`);
    });

    it(`${lang}: every symptom, cause, rule, fix and probe outcome has its text`, function () {
      for (const id of knowledge.symptoms) assert.ok(has(lang, `symptoms.${id}`), `symptoms.${id}`);
      for (const id of knowledge.causes) assert.ok(has(lang, `causes.${id}`), `causes.${id}`);
      for (const [id, rule] of Object.entries(knowledge.rules)) {
        for (const key of [`findings.${id}`, ...(rule.variants ?? []).map((v) => `findings.${id}.${v}`)]) assert.ok(has(lang, `${key}.title`) && has(lang, `${key}.explanation`), key);
      }
      for (const id of Object.keys(knowledge.fixes)) assert.ok(has(lang, `fixes.${id}`), `fixes.${id}`);
      // The table the probes' outcomes are typed by: a code a probe can produce is in it, or does not compile.
      assert.ok(OUTCOME_CODES.length > 100, `${OUTCOME_CODES.length} outcome codes`);
      for (const outcome of OUTCOME_CODES) assert.ok(has(lang, outcomeKey(outcome)), `${outcome} → ${outcomeKey(outcome)}`);
    });
  }

  it('Arabic: a command line in Arabic text stays one left-to-right isolate, its closing bracket inside', function () {
    const usage = t('ar', 'cli.usage');
    const isolated = /\u2066([^\u2069]*)\u2069/.exec(usage)?.[1] ?? '';
    assert.ok(isolated.startsWith('acr-check <registry>'), usage);
    assert.ok(isolated.endsWith('--code <code>]'), usage);
  });

  it('fills placeholders and picks the language from the environment', function () {
    assert.equal(t('ru', 'cli.verdict.healthy', { loginServer: 'r.azurecr.io' }), 'ИСПРАВНО: r.azurecr.io доступен с этой машины');
    assert.equal(langFromEnv({ LANG: 'ar_EG.UTF-8' }), 'ar');
    assert.equal(langFromEnv({ LC_ALL: 'ru_RU.UTF-8', LANG: 'en_US.UTF-8' }), 'ru');
    assert.equal(langFromEnv({ LC_ALL: 'C', LANG: 'ru_RU.UTF-8' }), 'en');
    assert.equal(langFromEnv({}), 'en');
  });

  it('every fix command, fix title and finding text names only parameters every finding has', function () {
    const provided = new Set(Object.keys(baseParams({ registry: parseRegistryTarget('myregistry'), symptoms: [], client: { dnsServers: [], platform: 'linux/x64' }, evidence: [], facts: {} })));
    for (const [id, fix] of Object.entries(knowledge.fixes)) {
      for (const command of fix.commands) for (const name of placeholders(command)) assert.ok(provided.has(name), `${id}: {${name}}`);
    }
    for (const lang of LANGS) {
      for (const rule of Object.keys(knowledge.rules)) {
        const keys = [`findings.${rule}`, ...(knowledge.rules[rule]!.variants ?? []).map((v) => `findings.${rule}.${v}`)];
        for (const key of keys) for (const part of ['title', 'explanation']) for (const name of placeholders(t(lang, `${key}.${part}`))) assert.ok(provided.has(name), `${lang} ${key}.${part}: {${name}}`);
        for (const fix of knowledge.rules[rule]!.fixes) for (const name of placeholders(t(lang, `fixes.${fix}`))) assert.ok(provided.has(name), `${lang} fixes.${fix}: {${name}}`);
      }
    }
  });
});
