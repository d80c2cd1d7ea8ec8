/**
 * The real bot process, deployed as Azure deploys it (a user-assigned managed identity), meeting the
 * Bot Framework as Azure Bot Service does: activities signed by the channel's keys (fetched from its
 * OpenID metadata), replies to a Teams connector that takes them only with the bot's own token,
 * which the bot gets from its managed identity (IMDS).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { cardOf, cardText, startLabBot, type LabBot } from './bot-client.js';
import { authenticatedBotEnv, CHANNEL_ADDRESSES, channelToken, CONNECTOR_HOST, KIDS, startFakeChannel, teamsActivity, type RunningChannel } from './fake-channel.js';
import { startFakeImds } from './fake-imds.js';
import { assertIsolated } from './isolation.js';
import { labAccessToken, LAB_BOT_IDENTITY, LAB_ISSUER_V1, LAB_PRINCIPALS } from './lab-tenant.js';
import { startLabWorld, type LabWorld } from './world.js';
import { assertValidCard } from '../helpers/validate-card.js';

const PORT = 3990;
/** A JWT anywhere in a log: header and claims are base64url JSON objects. */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}/;

async function postWithToken(body: unknown, token?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await request(`http://127.0.0.1:${PORT}/api/messages`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('lab: the authenticated bot (managed identity, the channel\'s tokens, an authenticated connector)', function () {
  let lab: LabWorld;
  let channel: RunningChannel;
  let imds: Awaited<ReturnType<typeof startFakeImds>>;
  let bot: LabBot | undefined;
  const botLog = (): string => bot?.log() ?? '';

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    channel = await startFakeChannel(lab);
    imds = await startFakeImds();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acr-auth-bot-data-'));
    bot = await startLabBot(lab.pki.caPath, PORT, { ...authenticatedBotEnv({ port: PORT }), DATA_DIR: dataDir });
  });

  after(async function () {
    bot?.child.kill('SIGTERM');
    await imds?.close();
    await channel?.close();
    await lab?.stop();
  });

  it('help with a valid channel token: 200, and the help card reaches the connector with the managed identity\'s token for the Bot Framework', async function () {
    const message = teamsActivity('conv-auth-help', { text: 'help' });
    const answer = await postWithToken(message, channelToken(message));
    assert.equal(answer.status, 200, `${answer.text}\n${botLog()}`);
    await channel.connector.waitFor((s) => s.some((x) => x.conversation === 'conv-auth-help')).catch((err: unknown) => assert.fail(`${String(err)}\n${botLog()}`));
    const card = cardOf(channel.connector.sent.find((x) => x.conversation === 'conv-auth-help')!)!;
    assertValidCard(card);
    assert.match(cardText(card), /acr-check/);
    assert.ok(channel.metadataFetches() >= 2, 'the bot read the channel\'s OpenID metadata and keys');
    assert.ok(imds.tokens() > 0, 'the bot\'s token came from its managed identity');
    assert.ok(channel.connector.bearers.length > 0);
    for (const bearer of channel.connector.bearers) {
      assert.deepEqual(bearer, { aud: 'https://api.botframework.com', iss: LAB_ISSUER_V1, appid: LAB_BOT_IDENTITY.clientId });
    }
  });

  it('acr-check: the progress card, and its update in place after the turn, both go out with the bot\'s token', async function () {
    const message = teamsActivity('conv-auth-check', { text: 'acr-check deniedreg' });
    const answer = await postWithToken(message, channelToken(message));
    assert.equal(answer.status, 200, answer.text);
    await channel.connector.waitFor((s) => s.some((x) => x.conversation === 'conv-auth-check' && x.method === 'PUT' && /PROBLEM/.test(cardText(cardOf(x)))));
    const mine = channel.connector.sent.filter((x) => x.conversation === 'conv-auth-check');
    assert.equal(mine[0]!.method, 'POST');
    assert.ok(mine.slice(1).every((x) => x.method === 'PUT' && x.id === mine[0]!.id), 'updated in place');
    assert.ok(channel.connector.bearers.every((b) => b.refused === undefined), JSON.stringify(channel.connector.bearers));
  });

  it('the connector itself takes replies only with a Bot Framework token of the bot', async function () {
    const dispatcher = new Agent({ connect: { ca: readFileSync(lab.pki.caPath), servername: CONNECTOR_HOST } });
    const reply = async (token?: string): Promise<number> => {
      const res = await request(`https://${CHANNEL_ADDRESSES.connector}/emea/v3/conversations/conv-direct/activities`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ type: 'message', text: 'not from the bot' }),
      });
      await res.body.dump();
      return res.statusCode;
    };
    try {
      assert.equal(await reply(), 401);
      assert.equal(await reply(labAccessToken(LAB_BOT_IDENTITY.clientId, 'https://management.azure.com', LAB_ISSUER_V1)), 401, 'a token for ARM');
      assert.equal(await reply(labAccessToken(LAB_PRINCIPALS.rejected.clientId, 'https://api.botframework.com', LAB_ISSUER_V1)), 401, 'another app\'s token');
      assert.equal(await reply(labAccessToken(LAB_BOT_IDENTITY.clientId, 'https://api.botframework.com', LAB_ISSUER_V1)), 200);
      assert.deepEqual(channel.connector.bearers.slice(-4).map((b) => b.refused ?? 'accepted'), ['no bearer token', 'audience https://management.azure.com', `app ${LAB_PRINCIPALS.rejected.clientId}`, 'accepted']);
    } finally {
      await dispatcher.close();
    }
  });

  const refusals: [string, (activity: Record<string, unknown>) => string | undefined][] = [
    ['no token', () => undefined],
    ['a token for another bot (audience)', (a) => channelToken(a, { audience: '00000000-0000-4000-8000-0000000000ff' })],
    ['a token from another issuer', (a) => channelToken(a, { issuer: 'https://api.botframework.lab.example' })],
    ['an expired token', (a) => channelToken(a, { expiresIn: -3600 })],
    ['a key id the channel never published', (a) => channelToken(a, { kid: 'lab-channel-unknown' })],
    ['a key the channel endorses only for Web Chat', (a) => channelToken(a, { signer: 'webchat' })],
    ['a token for another serviceUrl', (a) => channelToken(a, { serviceUrl: 'https://smba.lab.example/amer/' })],
    // The SDK throws these as plain errors, which CloudAdapter.process answered with 500 and the error's text.
    ['a token signed by another key under a published key id', (a) => channelToken(a, { signer: 'stranger', kid: KIDS.msteams })],
    ['a token whose issuer is the Emulator\'s', (a) => channelToken(a, { issuer: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/' })],
  ];
  for (const [what, token] of refusals) {
    it(`${what}: 401, and nothing is sent`, async function () {
      const conversation = `conv-refused-${what.replace(/\W+/g, '-')}`;
      const message = teamsActivity(conversation, { text: 'help' });
      const before = channel.connector.bearers.length;
      const sentBefore = channel.connector.sent.length;
      const answer = await postWithToken(message, token(message));
      assert.equal(answer.status, 401, answer.text);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(channel.connector.sent.length, sentBefore, 'no reply');
      assert.equal(channel.connector.bearers.length, before, 'the connector was not called');
    });
  }


  it('never logs a token: neither the channel\'s nor its own', async function () {
    assert.match(botLog(), /"authenticated":true/);
    assert.doesNotMatch(botLog(), JWT, `a token in the log: ${botLog().match(JWT)?.[0] ?? ''}`);
  });
});
