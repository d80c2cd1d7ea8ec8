/** knowledge.json: its JSON Schema, and what the schema cannot say (ids that name each other, one source per rule). */
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import schema from '../../src/engine/knowledge/knowledge.schema.json' with { type: 'json' };
import data from '../../src/engine/knowledge/knowledge.json' with { type: 'json' };
import { knowledge } from '../../src/engine/knowledge/knowledge.js';
import { FACT_RULES } from '../../src/engine/rules/fact-rules.js';
import { AKS_RULES } from '../../src/engine/rules/aks-rules.js';
import { baseParams, PREDICATES } from '../../src/engine/rules/evaluate.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';
import { RULES } from '../../src/engine/rules/rules.js';
import { has } from '../../src/engine/i18n/i18n.js';
import { outcomeKey } from '../../src/engine/report/render.js';

describe('the knowledge base (knowledge.json)', function () {
  it('matches its JSON Schema', function () {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    assert.ok(validate(data), JSON.stringify(validate.errors, null, 2));
  });

  it('the schema refuses what a typo makes: an unknown key, a rule without a cause, a bad confidence', function () {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const broken = (change: (copy: typeof data) => void): boolean => {
      const copy = structuredClone(data);
      change(copy);
      return validate(copy);
    };
    assert.equal(broken((k) => Object.assign(k, { rule: {} })), false);
    assert.equal(broken((k) => delete (k.rules['dns-nxdomain'] as { cause?: string }).cause), false);
    assert.equal(broken((k) => Object.assign(k.rules['dns-nxdomain'], { confidence: 'certain' })), false);
    assert.equal(broken((k) => Object.assign(k.rules['connection-refused'], { when: { outcomes: [] } })), false);
  });

  it('rules name known causes and fixes; symptom groups name known symptoms', function () {
    for (const [id, rule] of Object.entries(knowledge.rules)) {
      assert.ok(knowledge.causes.includes(rule.cause), `${id}: cause ${rule.cause}`);
      for (const fix of rule.fixes) assert.ok(knowledge.fixes[fix], `${id}: fix ${fix}`);
    }
    for (const symptom of Object.values(knowledge.symptomGroups).flat()) assert.ok(knowledge.symptoms.includes(symptom), symptom);
  });

  it('every rule has exactly one source: a row (`when`) or code, never both, never neither', function () {
    const inCode = new Set([...RULES.map(([id]) => id), ...Object.keys(FACT_RULES), ...Object.keys(AKS_RULES)]);
    for (const [id, rule] of Object.entries(knowledge.rules)) {
      if (id === 'unknown') continue;
      assert.ok(Boolean(rule.when) !== inCode.has(id), `${id}: ${rule.when ? 'a row and code' : 'neither a row nor code'}`);
      assert.ok(PREDICATES[id], id);
    }
    for (const id of inCode) assert.ok(knowledge.rules[id], `${id} is code without a row in knowledge.json`);
    assert.ok(Object.values(knowledge.rules).filter((r) => r.when).length >= 5, 'the simple rules are rows');
  });

  it('the outcomes a row names are outcomes with a text (a misspelt one would never fire)', function () {
    for (const [id, rule] of Object.entries(knowledge.rules)) {
      for (const outcome of [...(rule.when?.outcomes ?? []), ...(rule.when?.unless ?? [])]) {
        assert.ok(has('en', outcomeKey(outcome)), `${id}: ${outcomeKey(outcome)} has no text`);
      }
    }
  });
});

describe('values the rules fill in', function () {
  const input = (platform: string): Parameters<typeof baseParams>[0] => ({ registry: parseRegistryTarget('myregistry'), symptoms: [], client: { dnsServers: [], platform }, evidence: [], facts: {} });

  it("the hosts file is the client's, as its report names its platform, not the machine the rules run on", function () {
    assert.equal(baseParams(input('win32/x64')).hostsFile, 'C:\\Windows\\System32\\drivers\\etc\\hosts');
    assert.equal(baseParams(input('linux/arm64')).hostsFile, '/etc/hosts');
    assert.equal(baseParams(input('darwin/arm64')).hostsFile, '/etc/hosts');
  });

  it('what the diagnosis did not learn keeps the placeholder of knowledge.json', function () {
    const params = baseParams(input('linux/x64'));
    for (const [name, placeholder] of Object.entries(knowledge.placeholders)) {
      if (['dnsHost', 'dnsServer', 'dnsPort'].includes(name)) continue;
      assert.equal(params[name], placeholder, name);
    }
    assert.equal(baseParams({ ...input('linux/x64'), client: { dnsServers: ['10.0.0.53:5353'], platform: 'linux/x64' } }).dnsPort, '5353');
  });
});
