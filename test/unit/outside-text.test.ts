import assert from 'node:assert/strict';
import { errorLine, stackOf } from '../../src/engine/net/error-line.js';
import { withoutBidiControls, withoutBidiControlsDeep } from '../../src/engine/report/outside-text.js';

describe('text from outside the bot', function () {
  it('loses embeddings, overrides and isolates, in strings, keys and nested values, and keeps everything else', function () {
    assert.equal(withoutBidiControls('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(withoutBidiControls('\u2066a\u2067b\u2068c\u2069 \u202Ad\u202Be\u202Cf\u202D'), 'abc def');
    assert.equal(withoutBidiControls('реестр مرحبا 10.0.0.7 \u200F'), 'реестр مرحبا 10.0.0.7 \u200F', 'letters of every script and marks stay');
    const input = { a: ['x\u202E', { 'k\u2066': 'v\u2069', n: 3, b: true, z: null }] };
    assert.deepEqual(withoutBidiControlsDeep(input), { a: ['x', { k: 'v', n: 3, b: true, z: null }] });
    assert.equal(input.a[0], 'x\u202E', 'the input is left as it was');
  });
});

describe('an error as one log line', function () {
  it('keeps the kind, the status and the network code, drops the request and any bearer token', function () {
    const err = Object.assign(new Error('Forbidden: Authorization Bearer eyJhbGciOi.secret.token was refused\n    at somewhere'), {
      name: 'RestError',
      statusCode: 403,
      request: { headers: { authorization: 'Bearer eyJhbGciOi.secret.token' } },
    });
    const line = errorLine(err);
    assert.deepEqual(line, { name: 'RestError', message: 'Forbidden: Authorization Bearer [redacted] was refused', statusCode: 403 });
    assert.ok(!JSON.stringify(line).includes('secret'));
    assert.deepEqual(errorLine(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), { name: 'Error', message: 'fetch failed', code: 'ECONNREFUSED' });
    assert.equal(errorLine('x'.repeat(1000)).message.length, 300);
    assert.ok(stackOf(new Error('secret message'))!.every((frame) => frame.startsWith('at ') && !frame.includes('secret')));
  });
});
