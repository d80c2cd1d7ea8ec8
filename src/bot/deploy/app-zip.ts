/**
 * `npm run package:app`: the bot as App Service runs it, dist/acr-doctor-app.zip. The built code
 * (dist/src, dist/dialogs, dist/cards, the acr-check bundle the bot serves) and the production
 * dependencies only, as npm installed them here: no dev dependencies, tests, lab, sources or maps.
 * App Service starts it with `node dist/src/start.js` (the template's start command).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** What the running bot reads, relative to the repository root. */
const BUILT = ['dist/src', 'dist/dialogs', 'dist/cards', 'dist/bin', 'dist/package.json'];
const START_COMMAND = 'node dist/src/start.js';

/** Files never needed at run time. */
const SKIP = /(\.map|\.d\.ts|\.d\.mts|\.d\.cts|\.tsbuildinfo)$/i;

/** Every production dependency's folder, as installed (npm ls --omit=dev), relative to the root. */
export function productionPackages(cwd = root): string[] {
  // npm ls exits 1 when the tree has extraneous packages (left by an earlier install); the list is still whole.
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (listed.error || !listed.stdout.includes('node_modules')) throw new Error(`npm ls --omit=dev failed: ${listed.error?.message ?? listed.stderr.split('\n')[0] ?? ''}`);
  return listed.stdout
    .split('\n')
    .map((line) => path.relative(cwd, line.trim()))
    .filter((rel) => rel.startsWith('node_modules'));
}

/** The files under `dir` (relative to `base`), without nested node_modules (each package is listed itself). */
function filesUnder(base: string, dir: string, into: string[]): void {
  const full = path.join(base, dir);
  if (!statSync(full).isDirectory()) {
    if (!SKIP.test(dir)) into.push(dir);
    return;
  }
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      filesUnder(base, rel, into);
    } else if (entry.isFile() && !SKIP.test(entry.name)) into.push(rel);
  }
}

export interface AppZip {
  out: string;
  files: number;
  bytes: number;
}

export async function packageAppZip(out = path.join(root, 'dist', 'acr-doctor-app.zip'), base = root): Promise<AppZip> {
  for (const needed of BUILT) {
    if (!existsSync(path.join(base, needed))) throw new Error(`${needed} is missing: run npm run build first`);
  }
  const files: string[] = [];
  for (const built of BUILT) filesUnder(base, built, files);
  for (const pkg of productionPackages(base)) filesUnder(base, pkg, files);
  await mkdir(path.dirname(out), { recursive: true });
  const zip = new yazl.ZipFile();
  // The root package.json tells App Service (and anyone unzipping it) how it starts; nothing to install.
  zip.addBuffer(Buffer.from(`${JSON.stringify(appManifest(base), null, 2)}\n`), 'package.json');
  for (const file of files) zip.addFile(path.join(base, file), file.split(path.sep).join('/'));
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return { out, files: files.length + 1, bytes: statSync(out).size };
}

/** The repository's package.json as the host needs it: name, version, engines, the start script; no dev tooling. */
function appManifest(base: string): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(path.join(base, 'package.json'), 'utf8')) as Record<string, unknown>;
  return {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    type: 'module',
    engines: pkg.engines,
    scripts: { start: START_COMMAND },
    dependencies: pkg.dependencies,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  packageAppZip().then(
    (zip) => process.stdout.write(`App Service package: ${zip.out} (${zip.files} files, ${(zip.bytes / 1024 / 1024).toFixed(1)} MB); start command: ${START_COMMAND}\n`),
    (err: unknown) => {
      process.stderr.write(`package:app: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
