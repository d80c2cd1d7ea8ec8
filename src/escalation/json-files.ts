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
  } finally {
    await handle.close();
  }
  return temporary;
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

/** Every `*.json` in `dir` (none when it does not exist yet). */
export async function readJsonDir<T>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const values = await Promise.all(names.map((n) => readJson<T>(path.join(dir, n))));
  return values.filter((v): v is Awaited<T> => v !== undefined) as T[];
}
