/**
 * The App Service package as the host gets it: `npm run package:app`'s zip, unzipped into an empty
 * folder (no node_modules above it, no sources), started with the template's start command inside
 * the lab namespace: it serves /healthz and answers `help` through a connector stub.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { packageAppZip } from '../../src/bot/deploy/app-zip.js';
import { activity, cardOf, cardText, postTo } from './bot-client.js';
import { startConnectorStub } from './connector-stub.js';
import { assertIsolated } from './isolation.js';
import { waitForPort } from './oci-registry.js';
import { spawnInWorld } from './run-cli.js';
import { startLabWorld, type LabWorld } from './world.js';

const PORT = 3970;

describe('lab: the App Service package', function () {
  this.timeout(180_000);
  let lab: LabWorld;

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
  });

  after(async function () {
    await lab?.stop();
  });

  it('unzipped into an empty folder, starts with node dist/src/start.js: /healthz answers and help is answered', async function () {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'acr-app-'));
    const zip = await packageAppZip(path.join(folder, 'acr-doctor-app.zip'));
    const site = path.join(folder, 'wwwroot');
    execFileSync('unzip', ['-q', zip.out, '-d', site]);
    assert.ok(!existsSync(path.join(site, 'src')) && !existsSync(path.join(site, 'test')) && !existsSync(path.join(site, 'dist', 'test')), 'no sources, tests or lab');
    assert.ok(!existsSync(path.join(site, 'node_modules', 'mocha')) && !existsSync(path.join(site, 'node_modules', 'typescript')) && !existsSync(path.join(site, 'node_modules', 'sinon')), 'no dev dependencies');
    assert.ok(existsSync(path.join(site, 'node_modules', 'botbuilder')));
    const connector = await startConnectorStub();
    const bot = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, path.join(site, 'dist', 'src', 'start.js')], { PORT: String(PORT), DATA_DIR: path.join(folder, 'data'), NODE_PATH: '' });
    let log = '';
    bot.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    bot.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await waitForPort(PORT, '127.0.0.1', 20_000).catch((err: unknown) => assert.fail(`${String(err)}\n${log}`));
      const health = await request(`http://127.0.0.1:${PORT}/healthz`);
      assert.equal(health.statusCode, 200);
      assert.equal(((await health.body.json()) as { status: string }).status, 'ok');
      assert.equal(await postTo(PORT, activity('app-zip', { text: 'help' }, connector.url)), 200);
      await connector.waitFor((s) => s.some((x) => x.conversation === 'app-zip'));
      assert.match(cardText(cardOf(connector.sent.find((x) => x.conversation === 'app-zip')!)), /acr-check/);
      process.stdout.write(`      (zip ${(zip.bytes / 1024 / 1024).toFixed(1)} MB, ${zip.files} files)\n`);
    } finally {
      bot.kill('SIGTERM');
      await connector.close();
    }
  });
});
