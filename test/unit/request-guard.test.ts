import assert from 'node:assert/strict';
import { activityProblem } from '../../src/bot/http/request-guard.js';

const valid = {
  type: 'message',
  id: 'activity-1',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1abc', name: 'Платформа مهندس', aadObjectId: '00000000-0000-4000-8000-000000000001' },
  recipient: { id: '28:bot', name: 'acr-doctor' },
  conversation: { id: '19:abc@thread.tacv2;messageid=1700000000000', conversationType: 'channel', tenantId: 't', isGroup: true },
  locale: 'ar-SA',
  text: '<at>acr-doctor</at> acr-check myregistry',
  entities: [{ type: 'mention', text: '<at>acr-doctor</at>', mentioned: { id: '28:bot', name: 'acr-doctor' } }, { type: 'clientInfo', locale: 'ar-SA' }],
  value: { verb: 'rerun', registry: 'myregistry' },
  channelData: { tenant: { id: 't' } },
};

describe('an activity, before the adapter sees it', function () {
  it('takes what Teams sends', function () {
    assert.equal(activityProblem(valid), undefined);
    assert.equal(activityProblem({ ...valid, type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }), undefined);
  });

  for (const [name, change, reason] of [
    ['a number for an id', { from: { id: 0 } }, /activity\.from\.id must be a string/],
    ['a null recipient', { recipient: null }, /activity\.recipient must be an object/],
    ['no channelId', { channelId: undefined }, /activity\.channelId is missing/],
    ['text that is not a string', { text: 5 }, /activity\.text must be a string/],
    ['an entity without a type', { entities: [{ id: null }] }, /activity\.entities\[0\]\.type is missing/],
    ['a mention that names no one', { entities: [{ type: 'mention', mentioned: false }] }, /mentioned must be an object/],
    ['membersAdded that is not a list', { membersAdded: 'x' }, /activity\.membersAdded must be an array/],
    ['a conversation id a header cannot carry', { conversation: { id: 'a\u0000b' } }, /conversation\.id must be printable ASCII/],
    ['a conversation id of 16,000 characters', { conversation: { id: 'c'.repeat(16_000) } }, /conversation\.id must be 1–1000 characters/],
    ['a card value nested 3,000 levels', { value: JSON.parse(`${'{"x":'.repeat(3000)}1${'}'.repeat(3000)}`) as unknown }, /nested deeper than 32 levels/],
    ['isGroup that is not a boolean', { conversation: { id: 'c', isGroup: 'x' } }, /isGroup must be true or false/],
    ['an empty type', { type: '' }, /activity\.type must not be empty/],
    ['an empty channelId', { channelId: '' }, /activity\.channelId must not be empty/],
  ] as const) {
    it(`refuses ${name}, saying which field`, function () {
      assert.match(activityProblem({ ...valid, ...change }) ?? '', reason);
    });
  }
});
