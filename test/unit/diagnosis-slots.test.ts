import assert from 'node:assert/strict';
import { DiagnosisSlots } from '../../src/bot/diagnosis-slots.js';

describe('places for diagnoses', function () {
  it('runs up to its limit, lets the next wait in order, and says full past the waiting line', async function () {
    const slots = new DiagnosisSlots(2, 2);
    const order: string[] = [];
    const a = slots.enter()!;
    const b = slots.enter()!;
    const c = slots.enter()!;
    const d = slots.enter()!;
    assert.deepEqual([a.ahead, b.ahead, c.ahead, d.ahead], [0, 0, 1, 2]);
    assert.equal(slots.enter(), undefined, 'the waiting line is full');
    void c.entered.then(() => order.push('c'));
    void d.entered.then(() => order.push('d'));
    const releaseA = await a.entered;
    releaseA();
    releaseA(); // a second release frees nothing more
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['c']);
    assert.deepEqual(slots.size, { running: 2, waiting: 1 });
    (await b.entered)();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['c', 'd']);
    (await c.entered)();
    (await d.entered)();
    assert.deepEqual(slots.size, { running: 0, waiting: 0 });
    assert.equal(slots.enter()!.ahead, 0, 'free again');
  });
});
