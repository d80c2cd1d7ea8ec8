/** docs/deploy.md and .env.example say what the code reads: no setting documented that nothing reads, none read that is not documented. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appSettings, PLATFORM_SETTINGS, settingsReadBySrc } from '../helpers/infra-checks.js';

const root = path.resolve('.');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** Set by the platform, not by whoever runs the bot: App Service's managed identity endpoint and host name, Windows' own. */
const PROVIDED = new Set(['IDENTITY_ENDPOINT', 'MSI_ENDPOINT', 'WEBSITE_HOSTNAME', 'SystemRoot']);

/** The names in the first column of deploy.md's settings table. */
function documentedSettings(): Set<string> {
  const doc = read('docs/deploy.md');
  const table = doc.slice(doc.indexOf('## Settings'), doc.indexOf('## What it costs'));
  const names = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]!));
  return new Set(names);
}

/** The names in the first column of docs/configuration.md's one table of every setting. */
function configurationTable(): string[] {
  return read('docs/configuration.md')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]!));
}

/** Read by Node.js or a library (the proxy, the CA file), not by our code. */
const STANDARD = new Set(['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'LANG', 'LC_ALL', 'LC_MESSAGES']);

describe('docs/configuration.md: every setting in one table', function () {
  const inSrc = settingsReadBySrc();
  const table = configurationTable();

  it('names every setting the code reads, once', function () {
    assert.deepEqual([...inSrc].filter((name) => !PROVIDED.has(name) && !table.includes(name) && !STANDARD.has(name)), []);
    assert.deepEqual(table.filter((name, i) => table.indexOf(name) !== i), [], 'no setting twice');
  });

  it('names nothing the code does not read', function () {
    assert.deepEqual(table.filter((name) => !inSrc.has(name) && !STANDARD.has(name)), []);
  });

  it('explains every app setting the deployment template sets', function () {
    const template = JSON.parse(read('infra/main.json')) as Parameters<typeof appSettings>[0];
    assert.deepEqual(Object.keys(appSettings(template)).filter((name) => !(name in PLATFORM_SETTINGS) && !table.includes(name)), []);
  });
});

describe('the deployment guide and the settings', function () {
  const inSrc = settingsReadBySrc();

  it('every setting in the guide is one the code reads', function () {
    const documented = documentedSettings();
    assert.ok(documented.size >= 20, `the table was found (${documented.size} names)`);
    assert.deepEqual([...documented].filter((name) => !inSrc.has(name)), []);
  });

  it('every app setting the template sets is explained in the guide', function () {
    const documented = documentedSettings();
    const template = JSON.parse(read('infra/main.json')) as Parameters<typeof appSettings>[0];
    const set = Object.keys(appSettings(template)).filter((name) => !(name in PLATFORM_SETTINGS));
    assert.deepEqual(set.filter((name) => !documented.has(name)), []);
  });

  it('every setting the code reads is in .env.example, and .env.example names nothing the code does not read', function () {
    const example = read('.env.example');
    assert.deepEqual([...inSrc].filter((name) => !PROVIDED.has(name) && !new RegExp(`\\b${name}=`).test(example)), []);
    const named = [...example.matchAll(/^# ([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!);
    assert.deepEqual(named.filter((name) => !inSrc.has(name) && !STANDARD.has(name)), []);
  });

  it('the guide\'s npm scripts, files and deployment outputs exist', function () {
    const doc = read('docs/deploy.md');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const [, script] of doc.matchAll(/npm run ([a-z:]+)/g)) assert.ok(scripts[script!], `npm run ${script}`);
    const outputs = (JSON.parse(read('infra/main.json')) as { outputs: Record<string, unknown> }).outputs;
    for (const [, output] of doc.matchAll(/\.([A-Za-z]+)\.value/g)) assert.ok(output! in outputs, `output ${output}`);
    for (const [, link] of doc.matchAll(/\]\(\.\.\/([^)#]+)\)/g)) assert.doesNotThrow(() => read(link!), link);
  });
});
