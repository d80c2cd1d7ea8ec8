/** What a person at a terminal sees: verdict first, fixes filled in, in their language. */
import assert from 'node:assert/strict';
import { CLIENT_EGRESS_IP } from './addresses.js';
import { assertIsolated } from './isolation.js';
import { CLI, runCli, runInWorld } from './run-cli.js';
import { startLabWorld, type LabWorld } from './world.js';

describe('lab: human output', function () {
  let lab: LabWorld;
  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
  });
  after(() => lab?.stop());

  it('puts the verdict first, then the finding with its ready-to-paste fix, then the checks', async function () {
    const run = await runCli(['deniedreg'], { caPath: lab.pki.caPath });
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n');
    assert.match(lines[0]!, /^PROBLEM: deniedreg\.azurecr\.io/);
    const fix = lines.findIndex((l) => l.includes(`$ az acr network-rule add --name deniedreg --ip-address ${CLIENT_EGRESS_IP}`));
    const checks = lines.findIndex((l) => l === 'Checks');
    assert.ok(fix > 0 && checks > fix, 'the fix comes before the checks table');
    assert.ok(lines.some((l) => /FAIL\s+Registry API GET \/v2\/\s+403 DENIED: client with IP/.test(l)));
    assert.ok(!run.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
    assert.equal(run.stderr, '', 'no progress when stderr is not a terminal');
  });

  it('on a terminal: colour, and progress counting every check from the start and naming those still running, cleared before the report', async function () {
    // `script` gives the real CLI a pseudo-terminal, as an interactive shell would; a wide one, so the names fit on the line.
    const result = await runInWorld({ caPath: lab.pki.caPath }, ['script', '-qec', `stty cols 250; ${process.execPath} ${CLI} blackholereg --timeout 2`, '/dev/null']);
    const screen = result.stdout;
    assert.match(screen, /checking blackholereg\.azurecr\.io: \d+ of \d+ checks done\. Still running: [^\r]*TLS handshake/, 'progress names the checks still running');
    const totals = new Set([...screen.matchAll(/checking blackholereg\.azurecr\.io: \d+ of (\d+) checks done/g)].map((m) => m[1]));
    assert.equal(totals.size, 1, `every progress line counts all planned checks from the start, yet totals were ${[...totals].join(', ')}`);
    assert.ok(screen.includes('\r\u001b[K'), 'the progress line is rewritten in place, then cleared');
    assert.ok(screen.includes('\u001b[31m'), 'failures are coloured on a terminal');
    assert.ok(screen.indexOf('PROBLEM') > screen.lastIndexOf('\r\u001b[K'), 'the report follows the cleared progress line');
  });

  it('speaks Russian and Arabic, with commands untouched', async function () {
    const ru = await runCli(['deniedreg', '--lang', 'ru'], { caPath: lab.pki.caPath });
    assert.match(ru.stdout, /^ПРОБЛЕМА: deniedreg\.azurecr\.io/);
    assert.match(ru.stdout, /Сетевые правила реестра не пускают этого клиента/);
    const ar = await runCli(['healthyreg'], { caPath: lab.pki.caPath, env: { LANG: 'ar_AE.UTF-8' } });
    assert.equal(ar.code, 0);
    // The registry's name inside Arabic text is isolated (FSI … PDI), so it reads left to right in place.
    assert.match(ar.stdout, /^سليم: يمكن الوصول إلى \u2068healthyreg\.azurecr\.io\u2069/);
    assert.match(ar.stdout, /ناجح/);
  });
});
