/**
 * The fuzzing's findings, each as its exact requests to the real bot: every answer 2xx or 4xx, no
 * internal text in it, no turn failing inside the bot. A finding still open (OPEN in
 * fuzz-findings.ts) is pending here; FUZZ_FINDINGS=1 runs it anyway, to watch it fail or pass.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activity } from './bot-client.js';
import { startConnectorStub } from './connector-stub.js';
import { startFuzzedBot, turnFailures, type FuzzedBot } from './fuzz-bot.js';
import { FINDINGS, OPEN } from './fuzz-findings.js';
import { assertIsolated } from './isolation.js';
import { createLabPki } from './pki.js';

const PORT = 4079;
const INTERNAL_TEXT = /must be of type|is not a function|Cannot read properties|at \w+ \(/;

describe('lab: fuzz findings, replayed', function () {
  let bot: FuzzedBot | undefined;
  let connector: Awaited<ReturnType<typeof startConnectorStub>> | undefined;

  /** Started with the first finding that runs: while all are open, this file costs nothing. */
  async function running(): Promise<{ bot: FuzzedBot; url: string }> {
    if (!bot || !connector) {
      assertIsolated();
      connector = await startConnectorStub();
      bot = await startFuzzedBot(createLabPki().caPath, PORT, { DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'acr-fuzz-data-')) });
    }
    return { bot, url: connector.url };
  }

  after(async function () {
    bot?.stop();
    await connector?.close();
  });

  for (const finding of FINDINGS) {
    const pending = OPEN.has(finding.id) && !process.env.FUZZ_FINDINGS;
    (pending ? it.skip : it)(`${finding.id}: ${finding.should}${OPEN.has(finding.id) ? ' (open finding: pending until the bot is fixed)' : ''}`, async function () {
      const { bot, url } = await running();
      const mark = bot.log().length;
      for (const body of finding.repro(url, activity)) {
        const answer = await bot.post('/api/messages', JSON.stringify(body));
        assert.ok(answer.status < 500, `${answer.status} ${answer.text} for ${JSON.stringify(body).slice(0, 400)}\ntoday: ${finding.today}`);
        assert.doesNotMatch(answer.text, INTERNAL_TEXT, `internal text in the answer to ${JSON.stringify(body).slice(0, 400)}`);
      }
      // A failed turn is logged before its answer is sent; a moment for the log pipe.
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(turnFailures(bot.log().slice(mark)), [], `no turn failed inside the bot; today: ${finding.today}`);
      assert.equal(bot.ended(), undefined);
    });
  }
});
