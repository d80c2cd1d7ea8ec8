/**
 * `GET /acr-check.mjs` and its SHA-256, and the cards' commands run as they are shown: bash with
 * curl and sha256sum, and the AKS pod's `node -e` script (kubectl stood in for by a script that
 * runs the pod's command here). A stand-in CLI prints its arguments and exits 7. Loopback only.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import restify from 'restify';
import { request } from 'undici';
import { readCliFile, serveCliFile } from '../../src/bot/cli-file.js';
import { cliUrl, podName, runCommands, shWord, type RunCommand } from '../../src/handover/run-commands.js';
import { NODE_IMAGE } from '../../src/handover/run-commands.js';

const STAND_IN = 'console.log(JSON.stringify(process.argv.slice(2))); process.exitCode = 7;\n';
const ARGS = ['myregistry', '--send', 'https://bot.contoso.com', '--code', '7KQ2M-4XPZ0'];

async function serve(file: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = restify.createServer();
  serveCliFile(server, await readCliFile(file));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const emptyDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'acr-fetch-'));

describe('acr-check from the bot: the file, its SHA-256, and the commands that fetch it', function () {
  this.timeout(30_000);
  const dir = emptyDir();
  const file = path.join(dir, 'built.mjs');
  writeFileSync(file, STAND_IN);
  const sha = createHash('sha256').update(STAND_IN).digest('hex');
  let bot: Awaited<ReturnType<typeof serve>>;

  before(async function () {
    bot = await serve(file);
  });
  after(async function () {
    await bot?.close();
  });

  it('serves the file as JavaScript with its SHA-256 as ETag, and the SHA-256 as sha256sum prints it', async function () {
    const res = await request(`${bot.url}/acr-check.mjs`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers.etag, `"${sha}"`);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(await res.body.text(), STAND_IN);
    const sum = await request(`${bot.url}/acr-check.mjs.sha256`);
    assert.equal(sum.statusCode, 200);
    assert.equal(await sum.body.text(), `${sha}  acr-check.mjs\n`);
  });

  it('answers 304 to a client that has this very file, and HEAD without the body', async function () {
    const same = await request(`${bot.url}/acr-check.mjs`, { headers: { 'if-none-match': `"${sha}"` } });
    assert.equal(same.statusCode, 304);
    assert.equal(await same.body.text(), '');
    const other = await request(`${bot.url}/acr-check.mjs`, { headers: { 'if-none-match': '"0000"' } });
    assert.equal(other.statusCode, 200);
    await other.body.dump();
    const head = await request(`${bot.url}/acr-check.mjs`, { method: 'HEAD' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(STAND_IN)));
    assert.equal(await head.body.text(), '');
  });

  it('a bot built without the file answers 404 with the reason, for the file and its SHA-256', async function () {
    const missing = await serve(path.join(dir, 'not-built.mjs'));
    try {
      for (const route of ['/acr-check.mjs', '/acr-check.mjs.sha256']) {
        const res = await request(`${missing.url}${route}`);
        assert.equal(res.statusCode, 404);
        const body = (await res.body.json()) as { error: string; message: string };
        assert.equal(body.error, 'no-cli-file');
        assert.match(body.message, /not-built\.mjs does not exist \(npm run bundle builds it\)/);
      }
    } finally {
      await missing.close();
    }
  });

  describe('the commands', function () {
    const command = (shell: RunCommand['shell'], sha256 = sha, botUrl = bot.url): string => {
      const made = runCommands({ botUrl, sha256, image: NODE_IMAGE }, ARGS, podName('7KQ2M-4XPZ0'));
      assert.ok('commands' in made);
      return made.commands.find((c) => c.shell === shell)!.command;
    };
    /** kubectl run … --command -- <the pod's command>: here, the pod's command runs on this machine, its temporary folder its own. */
    const pod = emptyDir();
    const withKubectl = (): NodeJS.ProcessEnv => {
      const bin = emptyDir();
      writeFileSync(path.join(bin, 'kubectl'), '#!/bin/sh\nwhile [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n');
      chmodSync(path.join(bin, 'kubectl'), 0o755);
      return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, TMPDIR: pod };
    };

    it('bash, as shown: downloads into the current folder, checks the SHA-256, runs it with the arguments', async function () {
      if (!has('curl') || !has('sha256sum')) this.skip();
      const here = emptyDir();
      const result = await run(command('bash'), here);
      assert.equal(result.code, 7, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout.split('\n').filter((l) => l.startsWith('[')).pop()!), ARGS);
      assert.match(result.stdout, /^acr-check\.mjs: OK$/m);
      assert.deepEqual(readdirSync(here), ['acr-check.mjs']);
    });

    it('bash: a file whose SHA-256 differs is not run', async function () {
      if (!has('curl') || !has('sha256sum')) this.skip();
      const result = await run(command('bash', 'f'.repeat(64)), emptyDir());
      assert.notEqual(result.code, 0);
      assert.notEqual(result.code, 7);
      assert.doesNotMatch(result.stdout, /myregistry/);
      assert.match(result.stdout + result.stderr, /FAILED/);
    });

    it('the AKS pod, as shown: node alone downloads, checks the SHA-256 and runs it with the arguments, its exit code passed on', async function () {
      const result = await run(command('aks'), emptyDir(), withKubectl());
      assert.equal(result.code, 7, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout.trim()), ARGS);
      assert.ok(existsSync(path.join(pod, 'acr-check.mjs')), 'kept in the pod\'s temporary folder');
    });

    it('the AKS pod: a file whose SHA-256 differs is not run (exit 3, with both hashes); an unreachable bot is exit 3 too', async function () {
      const wrong = await run(command('aks', 'f'.repeat(64)), emptyDir(), withKubectl());
      assert.equal(wrong.code, 3);
      assert.equal(wrong.stdout, '');
      assert.match(wrong.stderr, new RegExp(`acr-check\\.mjs: SHA-256 ${sha}, expected f{64}; not run`));
      const refused = await run(command('aks', sha, 'http://127.0.0.1:9'), emptyDir(), withKubectl());
      assert.equal(refused.code, 3);
      assert.equal(refused.stdout, '');
    });

    it('PowerShell: downloads, compares Get-FileHash with the SHA-256, runs only when it matches', function () {
      // No PowerShell on these machines: its command is checked as text.
      assert.equal(
        command('powershell'),
        `$ProgressPreference = 'SilentlyContinue'; Invoke-WebRequest -UseBasicParsing -Uri ${bot.url}/acr-check.mjs -OutFile acr-check.mjs; ` +
          `if ((Get-FileHash -Algorithm SHA256 acr-check.mjs).Hash -eq '${sha}') { node acr-check.mjs ${ARGS.join(' ')} } else { Write-Error 'acr-check.mjs: SHA-256 does not match; not run' }`,
      );
    });
  });

  it('commands name the bot by its base address, whichever endpoint was configured, and quote what a shell would read', function () {
    assert.equal(cliUrl('https://bot.contoso.com/api/messages'), 'https://bot.contoso.com/acr-check.mjs');
    assert.equal(cliUrl('https://contoso.com/acr-doctor/'), 'https://contoso.com/acr-doctor/acr-check.mjs');
    assert.equal(shWord("it's $HOME"), `'it'\\''s $HOME'`);
    assert.equal(shWord('--symptom'), '--symptom');
    assert.equal(podName('7KQ2M-4XPZ0'), 'acr-check-7kq2m4xpz0');
    assert.deepEqual(runCommands({ botUrl: 'https://bot.contoso.com/$(reboot)', sha256: sha, image: NODE_IMAGE }, ARGS, 'p'), { none: 'no-address' });
    assert.deepEqual(runCommands({ botUrl: '', sha256: sha, image: NODE_IMAGE }, ARGS, 'p'), { none: 'no-address' });
    assert.deepEqual(runCommands({ botUrl: 'https://bot.contoso.com', image: NODE_IMAGE }, ARGS, 'p'), { none: 'no-file' });
  });
});
