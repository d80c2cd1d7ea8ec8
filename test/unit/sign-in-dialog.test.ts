import assert from 'node:assert/strict';
import { TestAdapter, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { SignInDialog, type SignInOptions } from '../../dialogs/sign-in-dialog.js';

const CONNECTION = 'acr-doctor-sso';
const OPTIONS: SignInOptions = { registry: 'myregistry.azurecr.io', symptoms: ['pull-denied'] };

function harness(): { client: DialogTestClient; adapter: TestAdapter; started: { options: SignInOptions; token: string | undefined }[] } {
  const started: { options: SignInOptions; token: string | undefined }[] = [];
  const dialog = new SignInDialog(CONNECTION, async (_context, options, token) => void started.push({ options, token }));
  const client = new DialogTestClient('msteams', dialog, OPTIONS);
  // Its test adapter stands in for the Bot Framework token service (user tokens in memory); the client keeps it private.
  const adapter = (client as unknown as { _testAdapter: TestAdapter })._testAdapter;
  return { client, adapter, started };
}

describe('sign-in before Azure is read as the asker', function () {
  it('a user signed in before: the diagnosis starts at once with their token, no card', async function () {
    const { client, adapter, started } = harness();
    adapter.addUserToken(CONNECTION, 'msteams', 'user1', 'user-token-1');
    await client.sendActivity({ type: 'message', text: 'acr-check myregistry', from: { id: 'user1', name: 'u' } } as Partial<Activity>);
    assert.deepEqual(started, [{ options: OPTIONS, token: 'user-token-1' }]);
  });

  it('not signed in: the sign-in card, in the user\'s language; a message instead of signing in runs the probes only, and says why', async function () {
    const { client, started } = harness();
    const card = (await client.sendActivity({ type: 'message', text: 'acr-check myregistry', locale: 'ru-RU', from: { id: 'user2', name: 'u' } } as Partial<Activity>)) as Partial<Activity>;
    const attachment = card.attachments?.[0];
    assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.oauth');
    assert.match(JSON.stringify(attachment?.content), /Войти/);
    assert.match(JSON.stringify(attachment?.content), new RegExp(CONNECTION));
    assert.deepEqual(started, []);
    const said = (await client.sendActivity({ type: 'message', text: 'never mind', locale: 'ru-RU', from: { id: 'user2', name: 'u' } } as Partial<Activity>)) as Partial<Activity>;
    assert.match(said.text ?? '', /только сетевые пробы/);
    assert.deepEqual(started, [{ options: OPTIONS, token: undefined }]);
  });
});
