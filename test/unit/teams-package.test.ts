import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import yauzl from 'yauzl';
import { buildManifest, packageApp } from '../../src/bot/teams/package-app.js';

const SCHEMA = path.resolve('node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.25/MicrosoftTeams.schema.json');

function entries(zipPath: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.readEntry();
    });
  });
}

type ZippedManifest = Record<string, unknown> & {
  bots: { botId: string; commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
  validDomains: string[];
  webApplicationInfo?: { id: string; resource: string };
};

/** The package's manifest, after checking it against the Teams v1.25 schema. */
async function zippedManifest(env: NodeJS.ProcessEnv): Promise<{ manifest: ZippedManifest; files: Map<string, Buffer> }> {
  const out = await packageApp(path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-pkg-')), 'app.zip'), env);
  const files = await entries(out);
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as ZippedManifest;
  const ajv = new ajvDraft04.default({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  assert.ok(validate(manifest), ajv.errorsText(validate.errors));
  return { manifest, files };
}

/** Width, height and colour type from a PNG's IHDR. */
function pngHeader(png: Buffer): { width: number; height: number; colorType: number } {
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25]! };
}

describe('Teams app package', function () {
  const BOT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  it('zips a manifest valid against the v1.25 schema, with the bot id and both icons, and without single sign-on unless asked', async function () {
    const { manifest, files } = await zippedManifest({ MicrosoftAppId: BOT_ID });
    assert.deepEqual([...files.keys()].sort(), ['color.png', 'manifest.json', 'outline.png']);
    assert.equal(manifest.id, BOT_ID);
    assert.equal(manifest.webApplicationInfo, undefined);
    assert.deepEqual(manifest.validDomains, []);
    assert.equal(manifest.bots[0]!.botId, BOT_ID);
    const list = manifest.bots[0]!.commandLists[0]!;
    assert.deepEqual(list.scopes, ['personal', 'team', 'groupChat']);
    assert.deepEqual(list.commands.map((c) => c.title), ['acr-check', 'diagnose', 'help', 'escalate']);
    assert.deepEqual(pngHeader(files.get('color.png')!), { width: 192, height: 192, colorType: 6 });
    assert.deepEqual(pngHeader(files.get('outline.png')!), { width: 32, height: 32, colorType: 6 }, 'outline: 32x32 with transparency');
  });

  it('refuses an app id that is not a GUID, and the all-zero placeholder unless a local package is asked for', async function () {
    await assert.rejects(packageApp(path.join(os.tmpdir(), 'never.zip'), { MicrosoftAppId: 'my-bot' }), /BOT_ID must be a GUID/);
    assert.throws(() => buildManifest({}), /the bot id is needed: BOT_ID/);
    assert.throws(() => buildManifest({ BOT_ID: '00000000-0000-0000-0000-000000000000' }), /all-zero placeholder/);
    assert.equal(buildManifest({ TEAMS_LOCAL_PACKAGE: '1' }).bots[0]!.botId, '00000000-0000-0000-0000-000000000000');
  });

  it('takes the id and domain from the deployment\'s outputs, or BOT_ID and BOT_DOMAIN; the developer from the environment', function () {
    const outputs = path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-out-')), 'outputs.json');
    writeFileSync(outputs, JSON.stringify({ botAppId: { type: 'String', value: BOT_ID }, webAppHostName: { type: 'String', value: 'acr-doctor-x1.azurewebsites.net' } }));
    const fromDeployment = buildManifest({ DEPLOYMENT_OUTPUTS: outputs });
    assert.equal(fromDeployment.bots[0]!.botId, BOT_ID);
    assert.deepEqual(fromDeployment.validDomains, ['acr-doctor-x1.azurewebsites.net']);
    const given = buildManifest({ BOT_ID: BOT_ID.toUpperCase(), BOT_DOMAIN: 'https://acr-doctor.contoso.com/', DEVELOPER_NAME: 'Contoso Platform', DEVELOPER_WEBSITE_URL: 'https://platform.contoso.com/acr-doctor' });
    assert.equal(given.id, BOT_ID);
    assert.deepEqual(given.validDomains, ['acr-doctor.contoso.com']);
    assert.equal(given.developer.name, 'Contoso Platform');
    assert.equal(given.developer.websiteUrl, 'https://platform.contoso.com/acr-doctor');
    assert.throws(() => buildManifest({ BOT_ID, BOT_DOMAIN: '*.contoso.com' }), /BOT_DOMAIN must be the bot's host name/);
    assert.throws(() => buildManifest({ BOT_ID, DEVELOPER_PRIVACY_URL: 'http://contoso.com/privacy' }), /must be an https:\/\/ address/);
  });

  describe('single sign-on (SSO_APP_ID)', function () {
    const SSO_APP_ID = '8c5f2d14-6a3b-4e7f-9d21-0b4c7a9e3f58';

    it('adds webApplicationInfo (the app registration and api://botid-<its id>) and the token service\'s domain, still valid against the v1.25 schema', async function () {
      const { manifest } = await zippedManifest({ MicrosoftAppId: BOT_ID, BOT_DOMAIN: 'acr-doctor.contoso.com', SSO_APP_ID: SSO_APP_ID.toUpperCase() });
      assert.deepEqual(manifest.webApplicationInfo, { id: SSO_APP_ID, resource: `api://botid-${SSO_APP_ID}` });
      assert.deepEqual(manifest.validDomains, ['acr-doctor.contoso.com', 'token.botframework.com']);
      assert.equal(manifest.bots[0]!.botId, BOT_ID, 'the bot keeps its own id: the managed identity, not the app registration');
    });

    it('takes the resource from SSO_RESOURCE, and both from the deployment\'s outputs', async function () {
      const resource = `api://acr-doctor.contoso.com/botid-${SSO_APP_ID}`;
      assert.deepEqual(buildManifest({ BOT_ID, SSO_APP_ID, SSO_RESOURCE: resource }).webApplicationInfo, { id: SSO_APP_ID, resource });
      const outputs = path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-out-')), 'outputs.json');
      writeFileSync(
        outputs,
        JSON.stringify({
          botAppId: { type: 'String', value: BOT_ID },
          webAppHostName: { type: 'String', value: 'acr-doctor-x1.azurewebsites.net' },
          ssoAppId: { type: 'String', value: SSO_APP_ID },
          ssoApplicationIdUri: { type: 'String', value: `api://botid-${SSO_APP_ID}` },
        }),
      );
      const { manifest } = await zippedManifest({ DEPLOYMENT_OUTPUTS: outputs });
      assert.deepEqual(manifest.webApplicationInfo, { id: SSO_APP_ID, resource: `api://botid-${SSO_APP_ID}` });
      assert.deepEqual(manifest.validDomains, ['acr-doctor-x1.azurewebsites.net', 'token.botframework.com']);
    });

    it('a regional bot\'s users sign in through its region\'s token service: its host from the deployment\'s outputs', function () {
      const outputs = path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-out-')), 'outputs.json');
      writeFileSync(outputs, JSON.stringify({ botAppId: { value: BOT_ID }, ssoAppId: { value: SSO_APP_ID }, tokenServiceHost: { value: 'europe.token.botframework.com' } }));
      assert.deepEqual(buildManifest({ DEPLOYMENT_OUTPUTS: outputs, BOT_DOMAIN: 'acr-doctor.contoso.eu' }).validDomains, ['acr-doctor.contoso.eu', 'europe.token.botframework.com']);
    });

    it('refuses an SSO_APP_ID that is not a GUID, a resource Teams would not exchange a token for, and a resource without an app', async function () {
      await assert.rejects(packageApp(path.join(os.tmpdir(), 'never.zip'), { BOT_ID, SSO_APP_ID: 'acr-doctor-sso' }), /SSO_APP_ID must be the single sign-on app registration's client id \(a GUID\), not "acr-doctor-sso"/);
      assert.throws(() => buildManifest({ BOT_ID, SSO_APP_ID: '00000000-0000-0000-0000-000000000000' }), /SSO_APP_ID must be/);
      assert.throws(() => buildManifest({ BOT_ID, SSO_APP_ID, SSO_RESOURCE: `api://${SSO_APP_ID}` }), /SSO_RESOURCE must be the app registration's Application ID URI, api:\/\/botid-<GUID>/);
      assert.throws(() => buildManifest({ BOT_ID, SSO_APP_ID, SSO_RESOURCE: `https://contoso.com/botid-${SSO_APP_ID}` }), /SSO_RESOURCE must be/);
      assert.throws(() => buildManifest({ BOT_ID, SSO_RESOURCE: `api://botid-${SSO_APP_ID}` }), /SSO_RESOURCE needs SSO_APP_ID/);
    });
  });
});
