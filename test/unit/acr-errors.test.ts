import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { parseAcrError, parseChallenge, parseRetryAfter } from '../../src/engine/probes/acr-errors.js';

function deniedBody(ip: string, correlationId: string | undefined, escapeQuotes: boolean): string {
  const message = `client with IP '${ip}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.${correlationId ? ` CorrelationId: ${correlationId}` : ''}`;
  const json = JSON.stringify({ errors: [{ code: 'DENIED', message }] });
  return escapeQuotes ? json.replaceAll("'", '\\u0027') : json;
}

describe('ACR answers', function () {
  it("reads the client IP and correlation id from ACR's DENIED body", function () {
    const body = deniedBody('203.0.113.9', '4C1D3A4B-0000-4000-8000-00000000ABCD', true);
    assert.deepEqual(parseAcrError(body), {
      code: 'DENIED',
      message: "client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access. CorrelationId: 4C1D3A4B-0000-4000-8000-00000000ABCD",
      clientIp: '203.0.113.9',
      correlationId: '4c1d3a4b-0000-4000-8000-00000000abcd',
    });
    assert.equal(parseAcrError('<html>403 Forbidden</html>'), undefined);
    assert.equal(parseAcrError('{"errors":[]}'), undefined);
    assert.equal(parseAcrError(deniedBody('not-an-ip', undefined, false))?.clientIp, undefined);
  });

  it('property: any IP and correlation id round-trip through a DENIED body, quotes escaped or not', function () {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.option(fc.uuid(), { nil: undefined }), fc.boolean(), (ip, id, escape) => {
        const denial = parseAcrError(deniedBody(ip, id, escape));
        assert.equal(denial?.code, 'DENIED');
        assert.equal(denial?.clientIp, ip);
        assert.equal(denial?.correlationId, id?.toLowerCase());
      }),
    );
  });

  it('property: arbitrary bodies never throw, and a client IP, when found, is an IP', function () {
    const message = fc.oneof(fc.string(), fc.string().map((s) => `client with IP '${s}' is not allowed`));
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      message.map((m) => JSON.stringify({ errors: [{ code: 'DENIED', message: m }] })),
    );
    fc.assert(
      fc.property(body, (text) => {
        const denial = parseAcrError(text);
        if (denial?.clientIp !== undefined) assert.ok(net.isIP(denial.clientIp));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses Bearer challenges and Retry-After', function () {
    assert.deepEqual(parseChallenge('Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io"'), {
      scheme: 'bearer',
      params: { realm: 'https://r.azurecr.io/oauth2/token', service: 'r.azurecr.io' },
    });
    assert.deepEqual(parseChallenge('Basic realm="x"')?.scheme, 'basic');
    assert.equal(parseChallenge(undefined), undefined);
    assert.equal(parseRetryAfter('17'), 17);
    assert.equal(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString()) !== undefined, true);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
