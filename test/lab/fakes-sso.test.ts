/**
 * The lab's single sign-on fakes answer the real SDK clients as the real services do: the Bot
 * Framework token service (botframework-connector's UserTokenClient as CloudAdapter makes it),
 * Entra's on-behalf-of grant (@azure/identity's OnBehalfOfCredential, with a secret and with a
 * managed identity's client assertion), and ARM authorising people (our ARM readers). The clients
 * run as a process of the lab's world (sso-client.ts): hosts file and lab CA, nothing else.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { LAB_ADDRESSES as A } from './addresses.js';
import { ARM_HOST, LAB_SUBSCRIPTION, registryId, startFakeArm, type RunningArm } from './fake-arm.js';
import { startFakeEntra, type RunningEntra } from './fake-entra.js';
import { startFakeImds } from './fake-imds.js';
import { LAB_OAUTH_CONNECTION, publicCloudSettings, startFakeTokenService, TOKEN_SERVICE_HOST, type RunningTokenService } from './fake-token-service.js';
import { assertIsolated } from './isolation.js';
import { claimsOf, LAB_AUTHORITY_HOST, LAB_BOT_IDENTITY, LAB_ISSUER_V2, LAB_SSO_APP, LAB_TENANT, LAB_USERS, teamsSsoToken } from './lab-tenant.js';
import { createLabPki, type LabPki } from './pki.js';
import { runInWorld } from './run-cli.js';
import type { OboStep, SsoResult, SsoStep, TokenCall } from './sso-client.js';

const SSO_CLIENT = fileURLToPath(new URL('./sso-client.js', import.meta.url));
const { alice, bob, carol } = LAB_USERS;
const REGISTRY = registryId('ssoreg');
/** The bot as deployed: a user-assigned managed identity, its OAuth API the lab's token service. */
const MSI_BOT = {
  MicrosoftAppId: LAB_BOT_IDENTITY.clientId,
  MicrosoftAppType: 'UserAssignedMSI',
  MicrosoftAppTenantId: LAB_TENANT,
  ...publicCloudSettings(`https://${TOKEN_SERVICE_HOST}`, LAB_TENANT),
};
/** A second token service on another port: anonymous callers welcome, bot tokens only of another app. */
const LENIENT_PORT = 8443;

type Ok = Record<string, unknown>;
const ok = (result: SsoResult | undefined): Ok => {
  assert.ok(result && 'ok' in result, `expected a value, got ${JSON.stringify(result)}`);
  return result.ok as Ok;
};
const failure = (result: SsoResult | undefined): { name: string; message: string; statusCode?: number } => {
  assert.ok(result && 'error' in result, `expected an error, got ${JSON.stringify(result)}`);
  return result.error;
};

describe('lab: SSO fakes (token service, on-behalf-of, per-user ARM)', function () {
  let pki: LabPki;
  let entra: RunningEntra;
  let arm: RunningArm;
  let tokens: RunningTokenService;
  let lenient: RunningTokenService;
  const stoppers: { close(): Promise<void> }[] = [];

  before(async function () {
    assertIsolated();
    pki = createLabPki();
    entra = await startFakeEntra(A.entra, pki.entra);
    stoppers.push(entra);
    arm = await startFakeArm(A.arm, pki.arm, { ssoreg: {} });
    stoppers.push(arm);
    tokens = await startFakeTokenService(A.tokenService, pki.tokenService, { botAppId: LAB_BOT_IDENTITY.clientId });
    stoppers.push(tokens);
    lenient = await startFakeTokenService(A.tokenService, pki.tokenService, { anonymous: true, botAppId: '00000000-0000-4000-8000-0000000000ff' }, LENIENT_PORT);
    stoppers.push(lenient);
    stoppers.push(await startFakeImds());
  });
  after(async () => {
    await Promise.allSettled(stoppers.map((s) => s.close()));
  });

  async function run(steps: SsoStep[]): Promise<SsoResult[][]> {
    const world = {
      caPath: pki.caPath,
      hosts: [`${A.entra} ${LAB_AUTHORITY_HOST}`, `${A.arm} ${ARM_HOST}`, `${A.tokenService} ${TOKEN_SERVICE_HOST}`],
      env: { AZURE_AUTHORITY_HOST: `https://${LAB_AUTHORITY_HOST}` },
    };
    const done = await runInWorld(world, [process.execPath, SSO_CLIENT, JSON.stringify(steps)]);
    assert.equal(done.code, 0, done.stderr);
    return JSON.parse(done.stdout) as SsoResult[][];
  }
  const first = async (steps: SsoStep[]): Promise<SsoResult[]> => (await run(steps))[0]!;
  const tokenCalls = async (calls: TokenCall[], settings: Record<string, string> = MSI_BOT): Promise<SsoResult[]> =>
    first([{ op: 'tokenClient', settings, connectionName: LAB_OAUTH_CONNECTION.name, calls }]);
  const obo = (assertion: string, extra: Partial<OboStep> = {}): OboStep => ({
    op: 'obo',
    tenantId: LAB_TENANT,
    clientId: LAB_SSO_APP.clientId,
    clientSecret: LAB_SSO_APP.secret!,
    userAssertionToken: assertion,
    authorityHost: `https://${LAB_AUTHORITY_HOST}`,
    scope: `https://${ARM_HOST}/.default`,
    ...extra,
  });

  describe('Bot Framework token service, through UserTokenClient', function () {
    it("exchanges alice's Teams SSO token for the connection's token, once; GetToken then has it until she signs out", async function () {
      const [exchanged, got, status, signedOut, afterSignOut] = await tokenCalls([
        { call: 'exchange', userId: alice.teamsId, token: teamsSsoToken(alice) },
        { call: 'getToken', userId: alice.teamsId },
        { call: 'status', userId: alice.teamsId },
        { call: 'signOut', userId: alice.teamsId },
        { call: 'getToken', userId: alice.teamsId },
      ]);
      const response = ok(exchanged);
      assert.equal(response.connectionName, LAB_OAUTH_CONNECTION.name);
      assert.equal(response.channelId, 'msteams');
      assert.ok(!Number.isNaN(Date.parse(String(response.expiration))), `expiration ${String(response.expiration)}`);
      const claims = claimsOf(String(response.token));
      assert.equal(claims.oid, alice.oid);
      assert.equal(claims.aud, LAB_SSO_APP.identifierUri, "the connection's token is for the SSO app's API: the on-behalf-of assertion");
      assert.equal(ok(got).token, response.token);
      assert.deepEqual(ok(status), [{ channelId: 'msteams', connectionName: LAB_OAUTH_CONNECTION.name, hasToken: true, serviceProviderDisplayName: 'Azure Active Directory v2' }]);
      assert.ok(signedOut && 'ok' in signedOut);
      assert.deepEqual(afterSignOut, { ok: null }, 'after sign-out GetToken answers 404: no token');
      assert.equal(tokens.exchanges(alice.teamsId), 1);
      assert.ok(tokens.requests.every((r) => r.status !== 401), 'the managed identity bot presented a Bot Framework token of its own app');
    });

    it('refuses as the service does, with 400 ErrorResponse values the SDK returns rather than throws', async function () {
      tokens.failExchange(bob.teamsId, 'consent-required', { once: true });
      const [expired, otherApp, consentless, stagedOnce, thenOk, nobody] = await tokenCalls([
        { call: 'exchange', userId: alice.teamsId, token: teamsSsoToken(alice, { expiresIn: -600 }) },
        { call: 'exchange', userId: alice.teamsId, token: teamsSsoToken(alice, { audience: 'api://botid-00000000-0000-4000-8000-0000000000ee' }) },
        { call: 'exchange', userId: carol.teamsId, token: teamsSsoToken(carol) },
        { call: 'exchange', userId: bob.teamsId, token: teamsSsoToken(bob) },
        { call: 'exchange', userId: bob.teamsId, token: teamsSsoToken(bob) },
        { call: 'getToken', userId: '29:1nobody' },
      ]);
      const error = (r: SsoResult | undefined): Ok => ok(r).error as Ok;
      assert.match(String(error(expired).message), /AADSTS500133/);
      assert.match(String(error(otherApp).message), /audience/);
      assert.deepEqual(error(consentless), { code: 'ServiceError', message: 'Consent Required' });
      assert.deepEqual(error(stagedOnce), { code: 'ServiceError', message: 'Consent Required' });
      assert.equal(claimsOf(String(ok(thenOk).token)).oid, bob.oid, 'a failure staged once fails once');
      assert.deepEqual(nobody, { ok: null });
      assert.equal(tokens.exchanges(bob.teamsId), 2, 'every exchange call is counted, failed or not');
    });

    it('gives a sign-in resource (link and token exchange resource); the link followed, the magic code brings the token', async function () {
      const [resource] = await tokenCalls([{ call: 'signInResource', userId: bob.teamsId }]);
      const signIn = ok(resource);
      assert.match(String(signIn.signInLink), new RegExp(`^https://${TOKEN_SERVICE_HOST}/api/oauth/signin\\?signin=[0-9a-f]{32}$`));
      const exchangeResource = signIn.tokenExchangeResource as Ok;
      assert.equal(exchangeResource.uri, LAB_SSO_APP.identifierUri);
      assert.match(String(exchangeResource.id), /^[0-9a-f-]{36}$/);
      assert.ok(exchangeResource.providerId);
      const { userId, code } = tokens.followSignInLink(String(signIn.signInLink), bob);
      assert.equal(userId, bob.teamsId, "the state carried the conversation's user");
      const [withoutCode, wrongCode, withCode] = await tokenCalls([
        { call: 'getToken', userId: bob.teamsId },
        { call: 'getToken', userId: bob.teamsId, code: '000000' },
        { call: 'getToken', userId: bob.teamsId, code },
      ]);
      assert.deepEqual(withoutCode, { ok: null });
      assert.deepEqual(wrongCode, { ok: null });
      assert.equal(claimsOf(String(ok(withCode).token)).oid, bob.oid);
    });

    it('an unauthenticated bot (no MicrosoftAppId) sends no token: refused 401; where anonymous calls are let in, exchange works but the sign-in resource needs an app id', async function () {
      const [refused] = await tokenCalls([{ call: 'exchange', userId: alice.teamsId, token: teamsSsoToken(alice) }], { OAuthApiEndpoint: `https://${TOKEN_SERVICE_HOST}` });
      assert.equal(failure(refused).statusCode, 401);
      const local = { OAuthApiEndpoint: `https://${TOKEN_SERVICE_HOST}:${LENIENT_PORT}` };
      const [exchanged, signIn] = await tokenCalls([{ call: 'exchange', userId: alice.teamsId, token: teamsSsoToken(alice) }, { call: 'signInResource', userId: alice.teamsId }], local);
      assert.equal(claimsOf(String(ok(exchanged).token)).oid, alice.oid);
      assert.equal(failure(signIn).name, 'ZodError', 'botbuilder builds the sign-in state from the app id, which an unauthenticated bot lacks');
      assert.equal(lenient.requests.filter((r) => r.path.endsWith('GetSignInResource')).length, 0);
      const [otherBot] = await tokenCalls([{ call: 'getToken', userId: alice.teamsId }], { ...MSI_BOT, ...publicCloudSettings(local.OAuthApiEndpoint, LAB_TENANT) });
      assert.equal(failure(otherBot).statusCode, 401, "a Bot Framework token of another bot's app is refused");
    });
  });

  describe("Entra's on-behalf-of grant, through OnBehalfOfCredential", function () {
    function assertArmTokenOf(result: SsoResult | undefined, user: (typeof LAB_USERS)[keyof typeof LAB_USERS]): void {
      const claims = ok(result);
      assert.equal(claims.oid, user.oid);
      assert.equal(claims.upn, user.upn);
      assert.equal(claims.tid, LAB_TENANT);
      assert.equal(claims.aud, `https://${ARM_HOST}`);
      assert.equal(claims.scp, 'user_impersonation');
      assert.equal(claims.iss, LAB_ISSUER_V2);
      assert.equal(claims.appid, LAB_SSO_APP.clientId);
    }

    it("turns alice's SSO token into her ARM token, the app proving itself with its secret", async function () {
      entra.obo.length = 0;
      const [token] = await first([obo(teamsSsoToken(alice))]);
      assertArmTokenOf(token, alice);
      assert.deepEqual(entra.obo.map((c) => [c.client, c.oid, c.status]), [['secret', alice.oid, 200]]);
      assert.match(entra.obo[0]!.scope, /^https:\/\/management\.lab\.example\/\.default\b/);
    });

    it("…or with the bot's managed identity's token as its client assertion (federated credential), and for ARM's user_impersonation scope", async function () {
      entra.obo.length = 0;
      const [token] = await first([obo(teamsSsoToken(alice), { clientSecret: undefined, managedIdentityClientId: LAB_BOT_IDENTITY.clientId, scope: 'https://management.azure.com/user_impersonation' })]);
      const claims = ok(token);
      assert.equal(claims.aud, 'https://management.azure.com');
      assert.equal(claims.oid, alice.oid);
      assert.deepEqual(entra.obo.map((c) => [c.client, c.status]), [['assertion', 200]]);
    });

    it('refuses like Entra: expired assertion (AADSTS500133), no consent (AADSTS65001), a token for another app (AADSTS50013), a wrong secret (401 invalid_client)', async function () {
      entra.obo.length = 0;
      const results = await run([
        obo(teamsSsoToken(alice, { expiresIn: -60 })),
        obo(teamsSsoToken(carol)),
        obo(teamsSsoToken(alice, { audience: 'api://botid-00000000-0000-4000-8000-0000000000ee' })),
        obo(teamsSsoToken(alice), { clientSecret: 'not-the-secret' }),
      ]);
      const [expired, consentless, otherApp, wrongSecret] = results.map((r) => failure(r[0]));
      // @azure/identity turns every refusal of the grant into AuthenticationRequiredError: the AADSTS code tells which.
      assert.deepEqual([expired, consentless, otherApp, wrongSecret].map((e) => e!.name), Array(4).fill('AuthenticationRequiredError'));
      assert.match(expired!.message, /AADSTS500133: Assertion is not within its valid time range/);
      assert.match(consentless!.message, /AADSTS65001: The user or administrator has not consented/);
      assert.match(otherApp!.message, /AADSTS50013/);
      assert.match(wrongSecret!.message, /AADSTS7000215/);
      assert.deepEqual(entra.obo.map((c) => [c.status, c.error]), [[400, 'invalid_grant'], [400, 'invalid_grant'], [400, 'invalid_grant'], [401, 'invalid_client']]);
      assert.equal(entra.obo[1]!.oid, carol.oid);
    });
  });

  describe('ARM authorising people by their oid, through our ARM readers', function () {
    it('alice (Reader on rg-acr) reads the registry and sees her subscription; bob (no role) gets arm.forbidden, in the words of Azure, and no subscription', async function () {
      arm.requests.length = 0;
      const [aliceSteps, bobSteps] = await run([obo(teamsSsoToken(alice), { read: [REGISTRY] }), obo(teamsSsoToken(bob), { read: [REGISTRY] })]);
      const [, aliceRead, aliceSubscriptions] = aliceSteps!;
      const [, bobRead, bobSubscriptions] = bobSteps!;
      assert.equal(ok(aliceRead).loginServer, 'ssoreg.azurecr.io');
      assert.deepEqual(ok(aliceSubscriptions), [LAB_SUBSCRIPTION]);
      const denied = ok(bobRead);
      assert.equal(denied.outcome, 'arm.forbidden');
      assert.ok(
        String(denied.message).includes(`The client '${bob.upn}' with object id '${bob.oid}' does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/read' over scope '${REGISTRY}' or the scope is invalid.`),
        String(denied.message),
      );
      assert.deepEqual(ok(bobSubscriptions), []);
    });
  });
});
