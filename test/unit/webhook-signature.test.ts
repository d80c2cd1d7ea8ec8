/** The webhook signature: what it covers, as docs/tickets-webhook.md tells receivers, and what its check refuses. */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { signRequest, verifySignature, type SignedRequest } from '../../src/escalation/sinks/webhook-signature.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const NOW = Date.parse('2026-11-24T08:00:00Z');
const T = NOW / 1000;
const POST: SignedRequest = { method: 'POST', path: '/tickets', idempotencyKey: 'acr-doctor-0123456789abcdef0123456789abcdef', body: '{"title":"pulls denied"}' };
const LOOKUP: SignedRequest = { method: 'GET', path: `/tickets/${POST.idempotencyKey}`, idempotencyKey: POST.idempotencyKey, body: '' };

describe('webhook signatures cover the request', function () {
  it('is the documented recipe: HMAC-SHA256 over "<t>\\n<METHOD>\\n<path>\\n<key>\\n<hex SHA-256(body)>", as v2', function () {
    const bodyDigest = createHash('sha256').update(POST.body).digest('hex');
    const expected = createHmac('sha256', SECRET).update(`${T}\nPOST\n/tickets\n${POST.idempotencyKey}\n${bodyDigest}`).digest('hex');
    assert.equal(signRequest(SECRET, POST, NOW), `t=${T},v2=${expected}`);
    // The example in docs/tickets-webhook.md, checked there with openssl.
    assert.equal(expected, '3223cb9cad4c790d446cd8472bf70772b0b54d8c337e437ad898692adb08578d');
  });

  it('verifies what it signed, with the body as text or as the bytes a receiver read', function () {
    const header = signRequest(SECRET, POST, NOW);
    assert.equal(verifySignature(SECRET, header, POST, { now: NOW }), 'valid');
    assert.equal(verifySignature(SECRET, header, { ...POST, body: Buffer.from(POST.body as string) }, { now: NOW }), 'valid');
    assert.equal(verifySignature(SECRET, signRequest(SECRET, LOOKUP, NOW), LOOKUP, { now: NOW + 299_000 }), 'valid');
  });

  const tampered: [string, SignedRequest][] = [
    ['the method', { ...LOOKUP, method: 'POST' }],
    ['the path (another key\'s lookup)', { ...LOOKUP, path: '/tickets/acr-doctor-ffffffffffffffffffffffffffffffff' }],
    ['the path\'s query', { ...LOOKUP, path: `${LOOKUP.path}?expand=all` }],
    ['the Idempotency-Key', { ...LOOKUP, idempotencyKey: 'acr-doctor-ffffffffffffffffffffffffffffffff' }],
    ['the body', { ...LOOKUP, body: '{}' }],
  ];
  for (const [part, request] of tampered) {
    it(`refuses a signature when ${part} changed: mismatch`, function () {
      assert.equal(verifySignature(SECRET, signRequest(SECRET, LOOKUP, NOW), request, { now: NOW }), 'mismatch');
    });
  }

  it('refuses a signature whose time was changed (mismatch), or is outside the window either way (expired)', function () {
    const header = signRequest(SECRET, POST, NOW);
    const moved = header.replace(`t=${T}`, `t=${T + 60}`);
    assert.equal(verifySignature(SECRET, moved, POST, { now: NOW }), 'mismatch');
    assert.equal(verifySignature(SECRET, header, POST, { now: NOW + 301_000 }), 'expired');
    assert.equal(verifySignature(SECRET, header, POST, { now: NOW - 301_000 }), 'expired');
    assert.equal(verifySignature(SECRET, header, POST, { now: NOW + 61_000, toleranceSeconds: 60 }), 'expired');
  });

  it('refuses another secret, and headers it cannot read; the body-only v1 of earlier versions is not accepted', function () {
    assert.equal(verifySignature('another-secret-0123456789abcdef', signRequest(SECRET, POST, NOW), POST, { now: NOW }), 'mismatch');
    const v1 = `t=${T},v1=${createHmac('sha256', SECRET).update(`${T}.${POST.body as string}`).digest('hex')}`;
    for (const header of [undefined, '', v1, `t=${T}`, `v2=${'0'.repeat(64)}`, `t=soon,v2=${'0'.repeat(64)}`, `t=${T},v2=${'0'.repeat(63)}`, `t=${T},v2=${'z'.repeat(64)}`]) {
      assert.equal(verifySignature(SECRET, header, POST, { now: NOW }), 'malformed', String(header));
    }
  });

  it('refuses fields no HTTP request carries (a line break would let one field pose as two)', function () {
    assert.throws(() => signRequest(SECRET, { ...POST, idempotencyKey: 'a\nPOST' }, NOW), RangeError);
    assert.equal(verifySignature(SECRET, signRequest(SECRET, POST, NOW), { ...POST, path: '/tickets\nx' }, { now: NOW }), 'malformed');
  });
});
