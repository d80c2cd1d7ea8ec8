/** Uploaded JSON is bounded in shape before anything walks it. */
import assert from 'node:assert/strict';
import { shapeProblem } from '../../src/bot/http/json-shape.js';

describe('JSON shape bounds', function () {
  it('refuses deep nesting, too many values and long strings; a report-like object passes', function () {
    const deep = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown;
    assert.match(shapeProblem(deep) ?? '', /nested deeper than 16 levels/);
    assert.match(shapeProblem(Array.from({ length: 60_000 }, () => 0)) ?? '', /more than 50000 values/);
    assert.match(shapeProblem({ detail: 'x'.repeat(20_000) }) ?? '', /longer than 16384/);
    assert.equal(shapeProblem({ checks: [{ id: 'tcp:1.2.3.4', data: { addresses: [{ address: '1.2.3.4', class: 'public' }] } }], facts: { privateEndpoints: [{ dns: [{ fqdn: 'r.azurecr.io', addresses: ['10.0.0.4'] }] }] } }), undefined);
  });
});
