/** One token per scope shared by every caller while it is valid; no caller's deadline fails another. */
import assert from 'node:assert/strict';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import sinon from 'sinon';
import { sharedTokens } from '../../src/engine/azure/credential.js';

/** A credential that answers after `delayMs` with a token valid for `validMs`, counting what it was asked and with which signal. */
function source(validMs: number, delayMs = 10): TokenCredential & { asked: GetTokenOptions[] } {
  const asked: GetTokenOptions[] = [];
  return {
    asked,
    getToken: async (_scopes, options): Promise<AccessToken> => {
      asked.push(options ?? {});
      await new Promise((r) => setTimeout(r, delayMs));
      return { token: `t${asked.length}`, expiresOnTimestamp: Date.now() + validMs };
    },
  };
}

describe('tokens shared by every diagnosis of a process', function () {
  afterEach(() => sinon.restore());

  it('callers at the same moment share one request, and later callers the token while it is valid', async function () {
    const inner = source(3_600_000);
    const shared = sharedTokens(inner);
    const [a, b] = await Promise.all([shared.getToken('https://management.azure.com/.default'), shared.getToken('https://management.azure.com/.default')]);
    assert.equal(a?.token, 't1');
    assert.equal(b?.token, 't1');
    assert.equal((await shared.getToken('https://management.azure.com/.default'))?.token, 't1');
    assert.equal(inner.asked.length, 1);
  });

  it('a token near its expiry, or expired since, is asked for again', async function () {
    const clock = sinon.useFakeTimers({ now: Date.now(), shouldAdvanceTime: true });
    const inner = source(3_600_000);
    const shared = sharedTokens(inner);
    assert.equal((await shared.getToken('scope'))?.token, 't1');
    clock.tick(3_600_000 - 30_000);
    assert.equal((await shared.getToken('scope'))?.token, 't2', 'an hour later, a new token');
    const short = sharedTokens(source(30_000));
    await short.getToken('scope');
    assert.equal((await short.getToken('scope'))?.token, 't2', 'a token valid for less than a minute is not kept');
  });

  it("one caller's deadline fails that caller only; the request is made without it", async function () {
    const inner = source(3_600_000, 200);
    const shared = sharedTokens(inner);
    const hurried = new AbortController();
    const first = shared.getToken('scope', { abortSignal: hurried.signal });
    const second = shared.getToken('scope');
    hurried.abort();
    await assert.rejects(first, /deadline/);
    assert.equal((await second)?.token, 't1');
    assert.equal(inner.asked[0]?.abortSignal, undefined, 'the shared request carries no caller signal');
  });
});
