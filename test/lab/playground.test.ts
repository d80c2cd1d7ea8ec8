/**
 * As a user would: the Microsoft 365 Agents Playground (a real Teams-like client) in headless
 * Chromium, talking to the real bot in the lab. Screenshots of the cards go to dist/screenshots
 * (SCREENSHOT_DIR), from where the README's come.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PLAYGROUND_PORT, startPlayground } from '../e2e/playground.js';
import { assertIsolated } from './isolation.js';
import { waitForPort } from './oci-registry.js';
import { runCli, spawnInWorld } from './run-cli.js';
import { SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';

const SHOTS = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../screenshots/', import.meta.url));
const BOT_PORT = 3990;
/** The chat area of the playground, where the cards are. */
const CHAT = { x: 330, y: 48, width: 620, height: 800 };

describe('lab: the bot in the Agents Playground (headless Chromium)', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let bot: ChildProcess;
  let playground: ChildProcess;
  let browser: Browser;
  let page: Page;

  before(async function () {
    assertIsolated();
    mkdirSync(SHOTS, { recursive: true });
    lab = await startLabWorld();
    bot = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, fileURLToPath(new URL('../../src/bot/start.js', import.meta.url))], { PORT: String(BOT_PORT), DIAGNOSIS_BUDGET_MS: '3000', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'acr-playground-data-')) });
    await waitForPort(BOT_PORT, '127.0.0.1', 15_000);
    playground = startPlayground(`http://127.0.0.1:${BOT_PORT}`);
    await waitForPort(PLAYGROUND_PORT, '127.0.0.1', 30_000);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://localhost:${PLAYGROUND_PORT}` });
    await page.goto(`http://localhost:${PLAYGROUND_PORT}/`, { waitUntil: 'domcontentloaded' });
  });

  after(async function () {
    await browser?.close();
    playground?.kill('SIGTERM');
    bot?.kill('SIGTERM');
    await lab?.stop();
  });

  async function say(text: string): Promise<void> {
    await page.locator('[data-lexical-editor="true"]').click({ timeout: 30_000 });
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  /**
   * The playground sends every typed message with locale en-US; an activity in another locale goes
   * through its "Mock an Activity > Custom activity" editor (Monaco): the playground's own activity,
   * copied out, turned into a message in `locale`, and pasted back (typing would auto-close brackets).
   */
  async function sayIn(locale: string, text: string): Promise<void> {
    await page.getByRole('button', { name: 'Mock an Activity' }).click();
    await page.getByRole('menuitem', { name: 'Custom activity' }).click();
    await page.locator('.monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    const activity = JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()')) as Record<string, unknown>;
    const edited = { ...activity, type: 'message', text, locale, entities: [{ type: 'clientInfo', locale }] };
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(JSON.stringify(edited, null, 2))})`);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await page.getByRole('button', { name: 'Send activity' }).click();
  }

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `${name}.png`), clip: CHAT });
  /** The last card whole, when it is taller than the chat pane: a taller window for this one. */
  const shotCard = async (name: string): Promise<void> => {
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.waitForTimeout(300);
    const card = await page.locator('.ac-adaptiveCard').last().boundingBox();
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), clip: { x: CHAT.x, y: Math.max(CHAT.y, card!.y - 40), width: CHAT.width, height: card!.height + 60 } });
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  it('help: the commands, <registry> included (as text, not taken for an HTML tag)', async function () {
    // The welcome card (the bot was just added) shows the commands too: wait for the answer to help itself.
    await page.getByText('Thanks for adding me', { exact: false }).first().waitFor({ timeout: 20_000 });
    const before = await page.getByText('<registry> [symptom words]: diagnose now', { exact: false }).count();
    await say('help');
    await page.waitForFunction(`document.body.innerText.split('<registry> [symptom words]: diagnose now').length - 1 > ${before}`, undefined, { timeout: 20_000 });
    assert.equal(await page.getByText('Thanks for adding me', { exact: false }).count(), 1, 'welcomed once');
    assert.ok(await page.getByText('escalate: open a support ticket with the last diagnosis', { exact: false }).first().isVisible());
    await shot('help');
  });

  it('/acr-check: the progress card counts every planned check and names those still running, then becomes the result card', async function () {
    await say('/acr-check blackholereg');
    await page.getByText('Checking blackholereg.azurecr.io').first().waitFor({ timeout: 20_000 });
    // The same card, updated in place as checks finish: the black hole keeps TCP (then TLS) waiting,
    // and the card says so instead of showing every check done.
    await page.getByText('Still running:', { exact: false }).first().waitFor({ timeout: 20_000 });
    // Midway: some checks done, the black-holed connection still waiting.
    await page.getByText(/[1-9]\d* of \d+ checks done/).first().waitFor({ timeout: 20_000 });
    const status = await page.getByText(/\d+ of \d+ checks done/).first().innerText();
    const [, done, total] = /(\d+) of (\d+)/.exec(status)!.map(Number);
    assert.ok(done! < total! && total! >= 8, `${status}: counted from the plan, not all done while some still run`);
    assert.match(await page.getByText('Still running:', { exact: false }).first().innerText(), /TCP to 20\.45\.122\.160:443|TLS handshake with blackholereg\.azurecr\.io/);
    await shot('progress');
    await page.getByText('PROBLEM: blackholereg.azurecr.io', { exact: false }).first().waitFor({ timeout: 20_000 });

    await say('/acr-check deniedreg');
    await page.getByText('PROBLEM: deniedreg.azurecr.io', { exact: false }).first().waitFor({ timeout: 20_000 });
    assert.ok(await page.getByText('az acr network-rule add --name deniedreg --ip-address 203.0.113.77').first().isVisible());
    await shot('finding');
  });

  it('Re-run runs the diagnosis again from the card', async function () {
    await say('/acr-check deniedreg');
    await page.getByText('PROBLEM: deniedreg.azurecr.io', { exact: false }).last().waitFor({ timeout: 20_000 });
    const before = await page.getByText('PROBLEM: deniedreg.azurecr.io', { exact: false }).count();
    await page.getByRole('button', { name: 'Re-run' }).last().click();
    // Evaluated in the page: a second result card for the same registry appears.
    await page.waitForFunction(`document.body.innerText.split('PROBLEM: deniedreg.azurecr.io').length - 1 > ${before}`, undefined, { timeout: 20_000 });
  });

  it('a healthy registry', async function () {
    await say('/acr-check healthyreg');
    await page.getByText('HEALTHY: healthyreg.azurecr.io', { exact: false }).first().waitFor({ timeout: 20_000 });
    await shot('healthy');
  });

  it('Escalate: the dialog, the summary card, Open the ticket: a ticket in the local store', async function () {
    await say('/acr-check deniedreg');
    await page.getByText('PROBLEM: deniedreg.azurecr.io', { exact: false }).last().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Escalate' }).last().click();
    const asked = (text: string): Promise<void> => page.getByText(text, { exact: false }).last().waitFor({ timeout: 20_000 });
    const answers: [question: string, answer: string][] = [
      ['A title for the ticket', 'deniedreg: pulls denied from AKS'],
      ['How severe is it?', 'moderate'],
      ['Your email address', 'pe@contoso.com'],
      ['How should support contact you?', 'email'],
      ['Describe the problem', 'AKS nodes get 403 since the firewall change this morning.'],
    ];
    for (const [question, answer] of answers) {
      await asked(question);
      await say(answer);
    }
    await asked('Review the ticket');
    await shot('escalation-summary');
    await page.getByRole('button', { name: 'Open the ticket' }).last().click();
    await page.waitForFunction(`/Ticket ACR-\\d{8}-[0-9A-F]{6} created/.test(document.body.innerText)`, undefined, { timeout: 20_000 });
    await shot('ticket');
  });

  it('run it from the failing machine: the code, acr-check --send, and the two views side by side', async function () {
    await say('/acr-check stalereg');
    await page.getByText('HEALTHY: stalereg.azurecr.io', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Run it from the failing machine' }).last().click();
    // The code card (the result card says "Run the same checks where it fails" too: wait for the code itself).
    await page.waitForFunction(`/Code: [0-9A-Z]{5}-[0-9A-Z]{5}/.test(document.body.innerText)`, undefined, { timeout: 20_000 });
    const code = /Code: ([0-9A-Z]{5}-[0-9A-Z]{5})/.exec(await page.locator('body').innerText())![1]!;
    await shotCard('handover');
    const stale = SCENARIOS.find((s) => s.registry === 'stalereg')!;
    const run = await runCli(['stalereg', '--send', `http://127.0.0.1:${BOT_PORT}`, '--code', code], worldFor(stale, lab.pki.caPath));
    assert.match(run.stderr, /the bot posted it in the conversation/);
    await page.getByText('From the failing machine: PROBLEM', { exact: false }).first().waitFor({ timeout: 20_000 });
    assert.ok(await page.getByText('Where the two views differ').last().isVisible());
    await shotCard('client-report');
  });

  it('Arabic: the result card in Arabic, right to left', async function () {
    await sayIn('ar-SA', '/acr-check deniedreg');
    // The login server sits in a bidi isolate (U+2068 … U+2069), so it keeps its order in the Arabic line.
    await page.getByText(/مشكلة: لا يمكن الوصول إلى \u2068deniedreg\.azurecr\.io\u2069 من شبكة البوت/).first().waitFor({ timeout: 20_000 });
    assert.ok(await page.getByText('az acr network-rule add --name deniedreg --ip-address 203.0.113.77').last().isVisible());
    // The card is laid out right to left (the renderer's dir attribute from the card's rtl).
    assert.ok((await page.locator('.ac-adaptiveCard[dir="rtl"]').count()) > 0);
    await shot('arabic');
  });
});
