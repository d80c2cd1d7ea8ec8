/**
 * Durable JSON files: each written whole to a temporary file, flushed to disk, then moved into place,
 * so a crash leaves the old version or the new one, never half of either.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

async function writeTemporary(file: string, value: unknown): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } catch (err) {
    // A full disk must not leave an empty temporary file behind.
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return temporary;
}

/** Fails with a clear message when `dir` cannot be created or written: said at start-up, not as a later apology. */
export async function assertWritableDir(dir: string, name: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = path.join(dir, `.write-check.${randomUUID()}.tmp`);
    await (await open(probe, 'wx', 0o600)).close();
    await unlink(probe);
  } catch (err) {
    throw new Error(`${name} ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)}): escalations are kept there`, { cause: err });
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await rename(await writeTemporary(file, value), file);
}

/** Creates `file` with `value` unless it exists: true when this call created it. Atomic across processes. */
export async function createJsonExclusive(file: string, value: unknown): Promise<boolean> {
  const temporary = await writeTemporary(file, value);
  try {
    await link(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Where a file that no longer parses is moved, beside the good ones, so one damaged file stops nothing. */
export const QUARANTINE = 'quarantine';

/**
 * Every `*.json` in `dir` (none when it does not exist yet), read one at a time. A file that does not
 * parse (truncated by a full disk, edited by hand) is moved to `dir/quarantine`, told to `onDamaged`,
 * and left out: the rest are still read.
 */
export async function readJsonDir<T>(dir: string, onDamaged: (file: string, err: Error) => void = () => undefined): Promise<T[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const values: T[] = [];
  for (const name of names) {
    const value = await readJsonOrQuarantine<T>(path.join(dir, name), onDamaged);
    if (value !== undefined) values.push(value);
  }
  return values;
}

/** One file; undefined when it does not exist, or when it did not parse and was moved to quarantine. */
export async function readJsonOrQuarantine<T>(file: string, onDamaged: (file: string, err: Error) => void = () => undefined): Promise<T | undefined> {
  try {
    return await readJson<T>(file);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const target = path.join(path.dirname(file), QUARANTINE, path.basename(file));
    await mkdir(path.dirname(target), { recursive: true });
    await rename(file, target).catch((moveErr: unknown) => {
      if ((moveErr as NodeJS.ErrnoException).code !== 'ENOENT') throw moveErr;
    });
    onDamaged(target, err);
    return undefined;
  }
}

/** The files moved to `dir/quarantine`, by name. */
export async function quarantined(dir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dir, QUARANTINE))).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
