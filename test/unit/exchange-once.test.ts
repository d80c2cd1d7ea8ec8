import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import { exchangeOnce } from '../../src/bot/exchange-once.js';

describe('one token exchange per request, across instances', function () {
  it('of two instances writing the same exchange at once, one goes on and the other hears "eTag conflict"', async function () {
    const shared = new MemoryStorage();
    const [a, b] = [exchangeOnce(shared), exchangeOnce(shared)];
    const key = 'msteams/conv-1/exchange-1';
    const results = await Promise.allSettled([a.write({ [key]: { eTag: 'exchange-1' } }), b.write({ [key]: { eTag: 'exchange-1' } })]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(String((refused.reason as Error).message).toLowerCase(), /etag conflict/, 'the words TeamsSSOTokenExchangeMiddleware recognises');
    await assert.rejects(a.write({ [key]: { eTag: 'exchange-1' } }), /eTag conflict/, 'the same exchange again, later');
    await a.write({ 'msteams/conv-1/exchange-2': { eTag: 'exchange-2' } });
    await a.write({ 'msteams/conv-2/exchange-1': { eTag: 'exchange-1' } });
  });
});
