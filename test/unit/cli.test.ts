import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/acr-check.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Loopback listeners that count every packet and connection: proof that nothing was dialled. */
async function canaries(): Promise<{ dns: string; proxy: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const udp = dgram.createSocket('udp4');
  udp.on('message', () => hits++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const tcp = net.createServer((s) => {
    hits++;
    s.destroy();
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  return {
    dns: `127.0.0.1:${udp.address().port}`,
    proxy: `http://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`,
    hits: () => hits,
    close: async () => {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

describe('acr-check command line', function () {
  this.timeout(20_000);

  const BAD: [args: string[], message: RegExp][] = [
    [['https://myregistry.azurecr.io'], /is a URL/],
    [['myregistry.azurecr.io.evil.com'], /not an Azure Container Registry login server/],
    [['10.0.0.5'], /not an Azure Container Registry login server/],
    [['abc'], /5 to 50 letters and digits/],
    [['my\u0007registry'], /spaces or control characters/],
    [['x'.repeat(1000)], /longer than 512/],
    [['myregistry', '--symptom', 'everything-broken'], /unknown symptom "everything-broken"/],
    [['myregistry', '--client', 'toaster'], /unknown client "toaster"/],
    [['myregistry', '--timeout', '0'], /--timeout must be/],
    [['myregistry', '--timeout', 'soon'], /--timeout must be/],
    [['myregistry', '--dns-server', 'dns.example.com'], /--dns-server must be an IP address/],
    [['myregistry', '--data-endpoint', 'evil.example.com'], /not a data endpoint of this registry/],
    [['myregistry', '--lang', 'fr'], /--lang must be en, ru or ar/],
    [['myregistry', '--aks-cluster', 'aks-prod'], /is not an AKS cluster: give its resource id/],
    [['myregistry', '--aks-cluster', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm'], /is not an AKS cluster/],
    [['myregistry', '--frobnicate'], /unknown option '--frobnicate'/],
    [['myregistry', 'other'], /too many arguments/],
    [[], /missing required argument 'registry'/],
    [['myregistry', '--send', 'https://bot.example'], /--send needs --code/],
    [['myregistry', '--send', 'http://bot.example', '--code', '7KQ2M-4XPZ0'], /--send must be the bot's https:\/\/ address/],
    [['myregistry', '--send', 'https://bot.example', '--code', 'letmein'], /--code must look like ABCDE-12345/],
    [['myregistry', '--subscription', 'mine'], /--subscription must be an id/],
    [['myregistry', '--workspace', 'logs'], /--workspace must be an id/],
  ];

  for (const [args, message] of BAD) {
    it(`rejects ${JSON.stringify(args).slice(0, 70)} with exit 2 and dials nothing`, async function () {
      const canary = await canaries();
      try {
        const result = await run([...args, '--dns-server', canary.dns], { HTTPS_PROXY: canary.proxy });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /Usage: acr-check <registry>/);
        assert.match(result.stderr, /acr-check --help/);
        assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
        assert.equal(result.stdout, '');
        assert.equal(canary.hits(), 0, 'nothing was dialled');
      } finally {
        await canary.close();
      }
    });
  }

  it('says what is wrong in the language of LANG', async function () {
    const result = await run(['http://x'], { LANG: 'ru_RU.UTF-8' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /это URL/);
    const arabic = await run(['http://x'], { LANG: 'ar_SA.UTF-8' });
    assert.match(arabic.stderr.replace(/[\u2066-\u2069]/g, ''), /عنوان URL/);
    assert.match(arabic.stderr, /\u2066URL\u2069/, 'a Latin word in Arabic text is isolated left to right');
  });

  it('prints usage with --help and exits 0', async function () {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    for (const flag of ['--symptom', '--client', '--json', '--timeout', '--dns-server', '--data-endpoint', '--lang', '--no-arm']) assert.match(result.stdout, new RegExp(flag));
    assert.match(result.stdout, /dns-lookup-failed/);
  });
});
