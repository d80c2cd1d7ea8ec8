import assert from 'node:assert/strict';
import { readConfig } from '../../src/config.js';

const SUB_A = '5e1f0000-aaaa-4bbb-8ccc-444455556666';
const SUB_B = '6e2f0000-bbbb-4ccc-8ddd-555566667777';

describe('the bot configuration', function () {
  it('defaults: diagnoses capped, escalations up to critical, five per user an hour, no subscription to file in', function () {
    const config = readConfig({});
    assert.deepEqual(config.diagnoses, { running: 64, waiting: 256, perConversation: 3 });
    assert.equal(config.tickets.maxSeverity, 'critical');
    assert.equal(config.tickets.escalationsPerHour, 5);
    assert.deepEqual(config.tickets.supportSubscriptionIds, []);
  });

  it('takes the subscriptions tickets may be filed in, the default first, once each', function () {
    const config = readConfig({ SUPPORT_SUBSCRIPTION_ID: SUB_A.toUpperCase(), SUPPORT_SUBSCRIPTION_IDS: ` ${SUB_B}, ${SUB_A} ,` });
    assert.deepEqual(config.tickets.supportSubscriptionIds, [SUB_A, SUB_B]);
  });

  for (const [env, reason] of [
    [{ TICKET_MAX_SEVERITY: 'urgent' }, /TICKET_MAX_SEVERITY must be one of minimal, moderate, critical, highestcriticalimpact/],
    [{ SUPPORT_SUBSCRIPTION_IDS: `${SUB_A},my-sub` }, /subscription ids \(GUIDs\), not "my-sub"/],
    [{ ESCALATIONS_PER_USER_PER_HOUR: '0' }, /ESCALATIONS_PER_USER_PER_HOUR must be a whole number/],
    [{ MAX_DIAGNOSES: '2.5' }, /MAX_DIAGNOSES must be a whole number from 1/],
    [{ MAX_DIAGNOSES_PER_CONVERSATION: '0' }, /MAX_DIAGNOSES_PER_CONVERSATION must be a whole number from 1/],
    [{ MAX_QUEUED_DIAGNOSES: '-1' }, /MAX_QUEUED_DIAGNOSES must be a whole number from 0/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with the reason`, function () {
      assert.throws(() => readConfig(env), reason);
    });
  }
});
