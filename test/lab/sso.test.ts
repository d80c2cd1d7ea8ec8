/**
 * Reading Azure as the person who asks (ARM_ACCESS=user): the real bot, authenticated as Azure Bot
 * Service meets it, signing users in through the Bot Framework token service (Teams' silent token
 * exchange, de-duplicated across instances) and reading ARM on their behalf (Entra's on-behalf-of
 * grant, the bot's managed identity as the SSO app's federated credential), against the lab's fake
 * ARM that authorises each person by their own role assignments.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { LAB_ADDRESSES as A } from './addresses.js';
import { startAzurite } from './azurite.js';
import { cardOf, cardText, said, startLabBot, type LabBot } from './bot-client.js';
import type { Sent } from './connector-stub.js';
import { authenticatedBotEnv, channelToken, startFakeChannel, teamsActivity, type RunningChannel } from './fake-channel.js';
import { DENIED_EVIDENCE, sampleReport } from '../helpers/sample-report.js';
import { startFakeImds } from './fake-imds.js';
import { LAB_OAUTH_CONNECTION, startFakeTokenService, TOKEN_SERVICE_HOST, type RunningTokenService } from './fake-token-service.js';
import { assertIsolated } from './isolation.js';
import { LAB_SSO_APP, LAB_TENANT, LAB_USERS, teamsSsoToken, type LabUser } from './lab-tenant.js';
import { ARM_SCENARIOS, SCENARIOS } from './scenarios.js';
import { LAB_SUBSCRIPTION } from './fake-arm.js';
import { startLabWorld, type LabWorld } from './world.js';
import { eventually } from './eventually.js';

const PORTS = [3950, 3951];
/** A hand-over code as the hand-over card shows it. */
const CODE = /\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/;

describe('lab: Azure read as the asker (Teams single sign-on, on-behalf-of)', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let channel: RunningChannel;
  let imds: Awaited<ReturnType<typeof startFakeImds>>;
  let tokens: RunningTokenService;
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  const bots: LabBot[] = [];
  /** Both instances' logs. */
  const log = (): string => bots.map((bot) => bot.log()).join('');

  before(async function () {
    assertIsolated();
    lab = await startLabWorld([...SCENARIOS, ...ARM_SCENARIOS]);
    lab.zone.add(TOKEN_SERVICE_HOST, { type: 'A', data: A.tokenService });
    channel = await startFakeChannel(lab);
    imds = await startFakeImds();
    tokens = await startFakeTokenService(A.tokenService, lab.pki.tokenService, { connections: [LAB_OAUTH_CONNECTION], botAppId: authenticatedBotEnv({ port: 0 }).MicrosoftAppId! });
    // Two instances behind one bot, sharing their state, as Teams' exchange reaches both.
    azurite = await startAzurite(10_002);
    for (const port of PORTS) {
      bots.push(
        await startLabBot(lab.pki.caPath, port, {
          ...authenticatedBotEnv({ port }),
          DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'acr-sso-data-')),
          BOT_STORAGE_CONNECTION_STRING: azurite.connectionString,
          SSO_CONNECTION_NAME: LAB_OAUTH_CONNECTION.name,
          SSO_APP_ID: LAB_SSO_APP.clientId,
          AZURE_AUTHORITY_HOST: 'https://login.lab.example',
          DIAGNOSIS_BUDGET_MS: '6000',
        }),
      );
    }
  });

  after(async function () {
    for (const bot of bots) bot.child.kill('SIGTERM');
    azurite?.close();
    await tokens?.close();
    await imds?.close();
    await channel?.close();
    await lab?.stop();
  });

  const from = (user: LabUser): Record<string, unknown> => ({ from: { id: user.teamsId, name: user.name, aadObjectId: user.oid } });

  async function post(port: number, activity: Record<string, unknown>): Promise<{ status: number; text: string }> {
    const res = await request(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${channelToken(activity)}` }, body: JSON.stringify(activity) });
    return { status: res.statusCode, text: await res.body.text() };
  }

  const mine = (conversation: string): Sent[] => channel.connector.sent.filter((s) => s.conversation === conversation);
  const resultOf = async (conversation: string): Promise<string> => {
    const done = (s: Sent): boolean => s.method === 'PUT' && /HEALTHY|PROBLEM|INCOMPLETE/.test(said(s));
    await channel.connector.waitFor(() => mine(conversation).some(done), 30_000).catch((err: unknown) => assert.fail(`${String(err)}\n${log().slice(-4000)}`));
    return cardText(cardOf(mine(conversation).filter(done).pop()!));
  };

  /** `acr-check`, the sign-in card, then Teams' silent exchange of the user's SSO token (sent to every instance at once). */
  async function signInAndCheck(conversation: string, user: LabUser, registry: string): Promise<{ exchange: { status: number; text: string }[] }> {
    assert.equal((await post(PORTS[0]!, teamsActivity(conversation, { text: `acr-check ${registry}`, ...from(user) }))).status, 200);
    await channel.connector.waitFor(() => mine(conversation).some((s) => s.activity.attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.oauth') ?? false));
    const invoke = teamsActivity(conversation, { type: 'invoke', name: 'signin/tokenExchange', value: { id: `exchange-${conversation}`, connectionName: LAB_OAUTH_CONNECTION.name, token: teamsSsoToken(user) }, ...from(user) });
    return { exchange: await Promise.all(PORTS.map((port) => post(port, invoke))) };
  }

  // Before bob ever signs in: once he has, the token service hands his token over without an exchange.
  it('an expired Teams token is not exchanged: 412, the sign-in card stays, nothing is read', async function () {
    assert.equal((await post(PORTS[0]!, teamsActivity('sso-expired', { text: 'acr-check armdenied', ...from(LAB_USERS.bob) }))).status, 200);
    await channel.connector.waitFor(() => mine('sso-expired').some((s) => s.activity.attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.oauth') ?? false));
    const invoke = teamsActivity('sso-expired', { type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-expired', connectionName: LAB_OAUTH_CONNECTION.name, token: teamsSsoToken(LAB_USERS.bob, { expiresIn: -300 }) }, ...from(LAB_USERS.bob) });
    const answer = await post(PORTS[0]!, invoke);
    assert.equal(answer.status, 412, answer.text);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!mine('sso-expired').some((s) => s.method === 'PUT'), 'no diagnosis ran');
  });

  it('a user with Reader: signed in silently (the exchange taken by one of two instances), the registry read with their rights', async function () {
    const before = tokens.exchanges(LAB_USERS.alice.teamsId);
    const { exchange } = await signInAndCheck('sso-alice', LAB_USERS.alice, 'armdenied');
    // Both instances check the token (a consent failure must reach every caller); one goes on with it.
    const taken = exchange.filter((e) => e.text.includes(LAB_OAUTH_CONNECTION.name));
    assert.equal(taken.length, 1, JSON.stringify(exchange));
    assert.ok(exchange.every((e) => e.status === 200), JSON.stringify(exchange));
    assert.ok(tokens.exchanges(LAB_USERS.alice.teamsId) > before, 'the token service exchanged her Teams token');
    const card = await resultOf('sso-alice');
    assert.match(card, /network-rule add --name armdenied/, 'the fix that needs the registry\'s rules');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mine('sso-alice').filter((s) => s.method === 'POST' && /Checking armdenied/.test(said(s))).length, 1, 'one diagnosis, not one per instance');
    const aliceRead = new RegExp(`"audit":"arm-read".*"objectId":"${LAB_USERS.alice.oid}".*"mode":"user".*"check":"arm.registry".*"result":"read"`);
    await eventually(() => aliceRead.test(log()), () => `no audit line ${aliceRead} in:\n${log().slice(-4000)}`);
  });

  it('AKS, as alice: the clusters she may read are offered; the one she picks is read with her rights, and what she may not read (its egress addresses) is not shown', async function () {
    const hero = (s: Sent): { buttons?: { title: string; value: string }[] } | undefined =>
      s.activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.hero')?.content as { buttons?: { title: string; value: string }[] } | undefined;
    // Signed in before (the previous test, or here when run alone): the guided dialog reads as her, silently.
    if (tokens.exchanges(LAB_USERS.alice.teamsId) === 0) {
      await signInAndCheck('sso-aks-sign-in', LAB_USERS.alice, 'armdenied');
      await resultOf('sso-aks-sign-in');
    }
    assert.equal((await post(PORTS[0]!, teamsActivity('sso-aks', { text: "AKS can't pull from aksegress", ...from(LAB_USERS.alice) }))).status, 200);
    await channel.connector.waitFor(() => mine('sso-aks').some((s) => hero(s) !== undefined), 30_000).catch((err: unknown) => assert.fail(`${String(err)}\n${log().slice(-4000)}`));
    const buttons = hero(mine('sso-aks').find((s) => hero(s))!)!.buttons!;
    assert.ok(buttons.some((b) => b.title === 'aks-lab (rg-aks)'), JSON.stringify(buttons));
    assert.equal((await post(PORTS[0]!, teamsActivity('sso-aks', { text: buttons.find((b) => b.title === 'aks-lab (rg-aks)')!.value, ...from(LAB_USERS.alice) }))).status, 200);
    const card = await resultOf('sso-aks');
    assert.match(card, /aks-lab: outbound loadBalancer, egress addresses -;.*not readable with this identity: egress/, 'the node resource group is not hers to read');
    assert.ok(!card.includes('203.0.113.50'));
    assert.ok(card.includes(`az aks update --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aks-lab --attach-acr `), 'the kubelet\'s roles at the registry, read with her Reader');
    const clusterRead = new RegExp(`"audit":"arm-read".*"objectId":"${LAB_USERS.alice.oid}".*"mode":"user".*"check":"arm.aks".*"result":"read"`);
    await eventually(() => clusterRead.test(log()), () => `no audit line ${clusterRead} in:\n${log().slice(-4000)}`);

    // In a channel, her clusters are not for everyone there: she is asked to name one.
    const inChannel = { conversation: { id: 'sso-aks-channel', conversationType: 'channel', tenantId: LAB_TENANT }, channelData: { tenant: { id: LAB_TENANT }, team: { id: '19:lab-team' }, channel: { id: '19:lab-channel' } } };
    assert.equal((await post(PORTS[0]!, teamsActivity('sso-aks-channel', { text: "AKS can't pull from aksegress", ...inChannel, ...from(LAB_USERS.alice) }))).status, 200);
    await channel.connector.waitFor(() => mine('sso-aks-channel').some((s) => /Type its resource group and name/.test(s.activity.text ?? '')), 30_000);
    assert.ok(!mine('sso-aks-channel').some((s) => hero(s) || JSON.stringify(s.activity).includes('aks-hubdns')), 'no cluster of hers named in the channel');
  });

  it('a user without a role: the probes, a clear line that their rights do not let them read it, and no fact anywhere', async function () {
    await signInAndCheck('sso-bob', LAB_USERS.bob, 'armdenied');
    const card = await resultOf('sso-bob');
    assert.ok(!card.includes(LAB_SUBSCRIPTION), 'no subscription id');
    assert.doesNotMatch(card, /\b(Premium|Standard|Basic) in /, 'no SKU or region');
    // Worded for the person: their rights, and the role that would let them read; not the bot's operator's to grant.
    assert.match(card, /your own Azure rights do not let you read this|subscription\(s\) you can read in Azure: the Reader role on the registry would let you/);
    assert.doesNotMatch(card, /bot's operator grants/);
    const bobRefused = new RegExp(`"audit":"arm-read".*"objectId":"${LAB_USERS.bob.oid}".*"check":"arm.registry".*"result":"(forbidden|not-found)"`);
    await eventually(() => bobRefused.test(log()), () => `no audit line ${bobRefused} in:\n${log().slice(-4000)}`);
  });

  it('in a channel: the card everyone sees has the network checks only; Teams re-makes it with the facts for the asker alone, and the client report beside it likewise', async function () {
    const conversation = 'sso-channel';
    const inChannel = (fields: Record<string, unknown>): Record<string, unknown> =>
      teamsActivity(conversation, { conversation: { id: conversation, conversationType: 'channel', tenantId: LAB_TENANT }, channelData: { tenant: { id: LAB_TENANT }, team: { id: '19:lab-team' }, channel: { id: '19:lab-channel' } }, ...fields });
    assert.equal((await post(PORTS[0]!, inChannel({ text: 'acr-check armdenied', ...from(LAB_USERS.alice) }))).status, 200);
    const oauth = (x: Sent): boolean => x.activity.attachments?.some((a) => a.contentType === 'application/vnd.microsoft.card.oauth') ?? false;
    const finished = (x: Sent): boolean => x.method === 'PUT' && /HEALTHY|PROBLEM|INCOMPLETE/.test(said(x));
    await channel.connector.waitFor(() => mine(conversation).some((x) => oauth(x) || finished(x)), 30_000);
    // Signed in by an earlier test or not: the exchange is what Teams does when the card asks for it.
    if (mine(conversation).some(oauth)) {
      const invoke = inChannel({ type: 'invoke', name: 'signin/tokenExchange', value: { id: 'exchange-channel', connectionName: LAB_OAUTH_CONNECTION.name, token: teamsSsoToken(LAB_USERS.alice) }, ...from(LAB_USERS.alice) });
      await Promise.all(PORTS.map((port) => post(port, invoke)));
    }
    await resultOf(conversation);
    const posted = cardOf(mine(conversation).filter((x) => x.method === 'PUT').pop()!)!;
    const facts = /198\.51\.100\.0\/24|Premium in/;
    assert.doesNotMatch(cardText(posted), facts, 'the post everyone reads holds nothing Azure showed alice');
    const refresh = posted.refresh as { action: { verb: string; data: Record<string, string> }; userIds: string[] };
    assert.deepEqual(refresh.userIds, [LAB_USERS.alice.teamsId]);

    const ownView = async (user: LabUser, data: Record<string, string>, port = PORTS[1]!): Promise<string> => {
      const answer = await post(port, inChannel({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: refresh.action.verb, data }, trigger: 'automatic' }, ...from(user) }));
      assert.equal(answer.status, 200, answer.text);
      const body = JSON.parse(answer.text) as { statusCode: number; type: string; value: unknown };
      assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', answer.text);
      return JSON.stringify(body.value);
    };
    // Asked of the other instance: the diagnosis is in the shared state, not in one process.
    assert.match(await ownView(LAB_USERS.alice, refresh.action.data), facts, 'alice sees what her rights read');
    assert.doesNotMatch(await ownView(LAB_USERS.bob, refresh.action.data), facts, 'bob refreshing by hand gets the shared card');

    // The hand-over from the channel: the failing machine's report compared with the shared view.
    const before = mine(conversation).length;
    assert.equal((await post(PORTS[0]!, inChannel({ value: { verb: 'handover', diagnosis: refresh.action.data.diagnosis }, ...from(LAB_USERS.bob) }))).status, 200);
    const codeCard = (): Sent | undefined => mine(conversation).slice(before).find((x) => CODE.test(said(x)));
    await channel.connector.waitFor(() => codeCard() !== undefined);
    const code = CODE.exec(said(codeCard()!))![0];
    const report = { ...sampleReport(DENIED_EVIDENCE), registry: { name: 'armdenied', loginServer: 'armdenied.azurecr.io' } };
    const upload = await request(`http://127.0.0.1:${PORTS[0]}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, report }) });
    assert.equal(upload.statusCode, 200, await upload.body.text());
    await channel.connector.waitFor(() => mine(conversation).some((x) => /From the failing machine/.test(said(x))));
    const clientCard = cardOf(mine(conversation).find((x) => /From the failing machine/.test(said(x)))!)!;
    assert.doesNotMatch(cardText(clientCard), facts, 'the comparison everyone reads does not use what Azure showed alice');
    const clientRefresh = clientCard.refresh as { action: { data: Record<string, string> }; userIds: string[] };
    assert.deepEqual(clientRefresh.userIds, [LAB_USERS.alice.teamsId]);
    assert.match(await ownView(LAB_USERS.alice, clientRefresh.action.data), facts, 'alice\'s comparison uses her facts');
    assert.doesNotMatch(await ownView(LAB_USERS.bob, clientRefresh.action.data), facts);
  });

  it('consent missing: the silent exchange fails with 412 and the sign-in card stays; nothing is read', async function () {
    const { exchange } = await signInAndCheck('sso-carol', LAB_USERS.carol, 'armdenied');
    assert.ok(exchange.every((e) => e.status !== 200), JSON.stringify(exchange));
    assert.ok(exchange.some((e) => e.status === 412), 'Teams is told to show the sign-in button');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!mine('sso-carol').some((s) => s.method === 'PUT'), 'no diagnosis ran as carol');
  });
});
