/** Progress as a front sees it: every planned check counted from the first event, placeholders taken by the real checks. */
import assert from 'node:assert/strict';
import { Recorder } from '../../src/engine/probes/recorder.js';
import { type Outcome, type ProgressEvent } from '../../src/engine/probes/evidence.js';

const pass = (): Promise<Outcome> => Promise.resolve({ status: 'pass', outcome: 'tcp.ok', data: {} });
const total = (e: ProgressEvent): number => e.progress.planned.length + e.progress.running.length + e.progress.done.length;

describe('progress', function () {
  it('the first event a front sees already counts every planned check, and the total never moves while they run', async function () {
    const events: ProgressEvent[] = [];
    const recorder = new Recorder((e) => events.push(e));
    for (const id of ['dns.system', 'tls', 'v2']) recorder.plan(id, id);
    recorder.plan('tcp', 'tcp');
    assert.equal(events.length, 0, 'planning alone draws nothing');
    await recorder.run('dns.system', 'dns.system', {}, pass);
    await recorder.run('tcp:20.45.122.144', 'tcp', {}, pass);
    await recorder.run('tls', 'tls', {}, pass);
    assert.deepEqual(events.map(total), [4, 4, 4, 4, 4, 4]);
    const last = events.at(-1)!;
    assert.deepEqual(last.progress.planned.map((c) => c.id), ['v2'], 'the tcp placeholder was taken by the real TCP check');
    assert.deepEqual(last.progress.done.map((e) => e.id), ['dns.system', 'tcp:20.45.122.144', 'tls']);
  });
});
