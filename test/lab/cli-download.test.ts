/**
 * acr-check without npm: the real bot serves the CLI it was built with (`GET /acr-check.mjs` and
 * its SHA-256); the failing machine downloads it into an empty folder with no node_modules anywhere
 * above, checks it, diagnoses with it and sends the report with the hand-over code. Then the
 * hand-over card's own commands, pasted as they are: bash (curl, sha256sum) and the AKS pod's
 * (node alone; kubectl stood in for by a script that runs the pod's command in this world).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { activity, cardOf, postTo, said, startLabBot } from './bot-client.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { assertIsolated } from './isolation.js';
import { runInWorld, type CliRun, type CliWorld } from './run-cli.js';
import { SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';
import { CLI_FILE } from '../../src/bot/cli-file.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { textRuns } from '../helpers/card-texts.js';

const CODE = /\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/;
const POSTED = /From the failing machine/;

/** A folder of its own, with no node_modules in it or in any folder above: nothing but the downloaded file to run. */
function emptyFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-fetched-'));
  for (let up = dir; ; up = path.dirname(up)) {
    assert.ok(!existsSync(path.join(up, 'node_modules')), `${up} has node_modules`);
    if (path.dirname(up) === up) break;
  }
  return dir;
}

/** Runs a command in this world from `cwd`, as a user at a prompt there would. */
const runIn = (world: CliWorld, cwd: string, command: string[]): Promise<CliRun> => runInWorld(world, ['sh', '-c', 'cd "$0" && exec "$@"', cwd, ...command]);

describe('lab: acr-check from the bot, without npm', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  let bot: ChildProcess | undefined;
  const port = 3974;
  const url = `http://127.0.0.1:${port}`;
  const stale = SCENARIOS.find((s) => s.registry === 'stalereg')!;

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    connector = await startConnectorStub();
    bot = (await startLabBot(lab.pki.caPath, port, { BOT_PUBLIC_URL: url, DIAGNOSIS_BUDGET_MS: '4000' })).child;
  });

  after(async function () {
    bot?.kill('SIGTERM');
    await connector?.close();
    await lab?.stop();
  });

  const inConversation = (conversation: string): Sent[] => connector.sent.filter((s) => s.conversation === conversation);

  /** A diagnosis in the conversation, then "Run it from the failing machine": the result card, the code and its card. */
  async function handover(conversation: string): Promise<{ result: Record<string, unknown>; code: string; card: Record<string, unknown> }> {
    await postTo(port, activity(conversation, { text: 'acr-check stalereg' }, connector.url));
    await connector.waitFor(() => inConversation(conversation).some((s) => s.method === 'PUT' && /HEALTHY|PROBLEM/.test(said(s))));
    const result = cardOf(inConversation(conversation).filter((s) => s.method === 'PUT').pop()!)!;
    const button = (result.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'handover')!.data!;
    const before = inConversation(conversation).length;
    await postTo(port, activity(conversation, { value: button }, connector.url));
    await connector.waitFor(() => inConversation(conversation).slice(before).some((s) => CODE.test(said(s))));
    const card = cardOf(inConversation(conversation).slice(before).find((s) => CODE.test(said(s)))!)!;
    return { result, code: CODE.exec(JSON.stringify(card))![0], card };
  }

  async function assertPosted(conversation: string): Promise<void> {
    await connector.waitFor(() => inConversation(conversation).some((s) => POSTED.test(said(s))));
    const card = cardOf(inConversation(conversation).find((s) => POSTED.test(said(s)))!)!;
    assertValidCard(card);
    assert.match(JSON.stringify(card), /Where the two views differ/);
  }

  it('downloaded from the bot into an empty folder, checked by its SHA-256, the file diagnoses and sends its report', async function () {
    const built = readFileSync(CLI_FILE);
    const sha = createHash('sha256').update(built).digest('hex');
    const file = await request(`${url}/acr-check.mjs`);
    assert.equal(file.statusCode, 200);
    assert.equal(file.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(file.headers.etag, `"${sha}"`);
    const bytes = Buffer.from(await file.body.arrayBuffer());
    const sum = await request(`${url}/acr-check.mjs.sha256`);
    assert.equal(await sum.body.text(), `${sha}  acr-check.mjs\n`);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), sha, 'the file is the one the bot was built with');

    const dir = emptyFolder();
    writeFileSync(path.join(dir, 'acr-check.mjs'), bytes);
    const { code, result, card } = await handover('dl-file');
    const fetching = (shown: Record<string, unknown>): string[] => textRuns(shown).filter((c) => c.includes(`${url}/acr-check.mjs`) && c.includes(sha));
    assert.equal(fetching(result).length, 2, 'the result card: bash and PowerShell, each with this file and its SHA-256');
    assert.equal(fetching(card).length, 3, 'the hand-over card: bash, PowerShell and an AKS pod');
    const run = await runIn(worldFor(stale, lab.pki.caPath), dir, [process.execPath, 'acr-check.mjs', 'stalereg', '--send', url, '--code', code]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /PROBLEM: stalereg\.azurecr\.io/);
    assert.match(run.stderr, /the bot posted it in the conversation/);
    await assertPosted('dl-file');
    assert.deepEqual(readdirSync(dir), ['acr-check.mjs'], 'nothing installed beside it');
  });

  it("the hand-over card's bash command, pasted as it is: curl, sha256sum, node; the report lands in the conversation", async function () {
    const { card } = await handover('dl-bash');
    const bash = textRuns(card).find((c) => c.startsWith('curl '))!;
    const dir = emptyFolder();
    const run = await runIn(worldFor(stale, lab.pki.caPath), dir, ['bash', '-c', bash]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^acr-check\.mjs: OK$/m);
    assert.match(run.stdout, /PROBLEM: stalereg\.azurecr\.io/);
    assert.match(run.stderr, /the bot posted it in the conversation/);
    await assertPosted('dl-bash');
  });

  it("the hand-over card's AKS command, pasted as it is: node alone downloads, checks and runs it; the report lands in the conversation", async function () {
    const { card } = await handover('dl-pod');
    const kubectl = textRuns(card).find((c) => c.startsWith('kubectl '))!;
    const bin = emptyFolder();
    writeFileSync(path.join(bin, 'kubectl'), '#!/bin/sh\nwhile [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n');
    chmodSync(path.join(bin, 'kubectl'), 0o755);
    const podTmp = emptyFolder();
    const world = worldFor(stale, lab.pki.caPath);
    const run = await runIn({ ...world, env: { ...world.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, TMPDIR: podTmp } }, emptyFolder(), ['bash', '-c', kubectl]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /PROBLEM: stalereg\.azurecr\.io/);
    assert.match(run.stderr, /the bot posted it in the conversation/);
    assert.deepEqual(readdirSync(podTmp), ['acr-check.mjs']);
    await assertPosted('dl-pod');
  });
});
