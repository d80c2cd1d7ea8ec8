/** The lint rule that keeps imports running one way (eslint.config.js), tried on imports that run the wrong way. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve('.');

/** The lint messages for `code` as if it were the file at `file`. */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('imports run one way: fronts → dialogs → cards → escalation, hand-over → engine', function () {
  this.timeout(30_000);

  const wrong: [file: string, code: string][] = [
    ['src/engine/rules/x.ts', "import { AcrDoctorBot } from '../../bot/acr-bot.js';\nexport const x = AcrDoctorBot;\n"],
    ['src/engine/report/x.ts', "import { TurnContext } from 'botbuilder';\nexport const x = TurnContext;\n"],
    ['src/engine/probes/x.ts', "import { ticketKey } from '../../escalation/ticket.js';\nexport const x = ticketKey;\n"],
    ['src/engine/x.ts', "import { resultCard } from '../../cards/cards.js';\nexport const x = resultCard;\n"],
    ['src/escalation/x.ts', "import { resultCard } from '../../cards/cards.js';\nexport const x = resultCard;\n"],
    ['cards/x.ts', "import { EscalateDialog } from '../dialogs/escalate-dialog.js';\nexport const x = EscalateDialog;\n"],
    ['dialogs/x.ts', "import { AcrDoctorBot } from '../src/bot/acr-bot.js';\nexport const x = AcrDoctorBot;\n"],
    ['src/cli/x.ts', "import { helpCard } from '../../cards/cards.js';\nexport const x = helpCard;\n"],
  ];
  for (const [file, code] of wrong) {
    it(`refuses in ${file}: ${code.split('\n')[0]}`, async function () {
      const messages = await lint(file, code);
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.match(messages[0]!, /wrong direction/);
    });
  }

  it('the engine reads no environment: the fronts\' configuration hands it in', async function () {
    const [result] = await new ESLint({ cwd: root }).lintText('export const home = process.env.HOME;\n', { filePath: path.join(root, 'src/engine/azure/x.ts') });
    assert.deepEqual(result?.messages.map((m) => m.ruleId), ['no-restricted-properties']);
    const [front] = await new ESLint({ cwd: root }).lintText('export const home = process.env.HOME;\n', { filePath: path.join(root, 'src/cli/x.ts') });
    assert.deepEqual(front?.messages, []);
  });

  it('the bot takes no type from a dialog: shared types live below both', async function () {
    const typed = async (code: string): Promise<(string | null)[]> => ((await new ESLint({ cwd: root }).lintText(code, { filePath: path.join(root, 'src/bot/x.ts') }))[0]?.messages ?? []).map((m) => m.ruleId);
    assert.deepEqual(await typed("import type { EscalateDeps } from '../../dialogs/escalate-dialog.js';\nexport type X = EscalateDeps;\n"), ['no-restricted-syntax']);
    assert.deepEqual(await typed("import { EscalateDialog, type EscalateDeps } from '../../dialogs/escalate-dialog.js';\nexport type X = EscalateDeps;\nexport const y = EscalateDialog;\n"), ['no-restricted-syntax']);
    assert.deepEqual(await typed("import { EscalateDialog } from '../../dialogs/escalate-dialog.js';\nexport const y = EscalateDialog;\n"), []);
  });

  it('lets the right direction through', async function () {
    assert.deepEqual(await lint('src/bot/x.ts', "import { EscalateDialog } from '../../dialogs/escalate-dialog.js';\nimport { resultCard } from '../../cards/cards.js';\nexport const x = [EscalateDialog, resultCard];\n"), []);
    assert.deepEqual(await lint('dialogs/x.ts', "import { noticeCard } from '../cards/cards.js';\nimport { ticketKey } from '../src/escalation/ticket.js';\nexport const x = [noticeCard, ticketKey];\n"), []);
    assert.deepEqual(await lint('src/cli/x.ts', "import { diagnose } from '../engine/diagnose.js';\nexport const x = diagnose;\n"), []);
  });
});
