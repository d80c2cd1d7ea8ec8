/**
 * The bot serves the CLI it was built with as one self-contained file (`GET /acr-check.mjs`) and
 * its SHA-256 (`GET /acr-check.mjs.sha256`, as `sha256sum` prints it): a failing machine needs
 * Node.js and the bot's address, nothing from npm. The file is read once, at start; a bot built
 * without it answers 404 with the reason, and its cards show no commands.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Next, Request, Response, Server } from 'restify';
import { CLI_FILE_NAME, CLI_PATH, CLI_SHA256_PATH } from '../handover/protocol.js';

/** Where `npm run bundle` writes it (dist/bin/single/), beside the built bot (dist/src/). */
export const CLI_FILE = fileURLToPath(new URL('../../bin/single/acr-check.mjs', import.meta.url));

export type CliFile = { bytes: Buffer; sha256: string } | { missing: string };

export async function readCliFile(file = CLI_FILE): Promise<CliFile> {
  try {
    const bytes = await readFile(file);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' ? `${file} does not exist (npm run bundle builds it)` : `${file} could not be read (${code ?? String(err)})` };
  }
}

/** The file changes only with a new deployment: clients may keep it, asking each time whether it is still the same (ETag). */
const CACHE_CONTROL = 'no-cache';

function sendBody(req: Request, res: Response, status: number, headers: Record<string, string>, body: Buffer | string): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function serveCliFile(server: Server, cli: CliFile): void {
  const etag = 'sha256' in cli ? `"${cli.sha256}"` : '';
  const missing = (req: Request, res: Response, reason: string): void =>
    sendBody(req, res, 404, { 'content-type': 'application/json' }, JSON.stringify({ error: 'no-cli-file', message: `this bot has no acr-check file to hand out: ${reason}` }));

  const file = (req: Request, res: Response): void => {
    if ('missing' in cli) return missing(req, res, cli.missing);
    const headers = { etag, 'cache-control': CACHE_CONTROL };
    if (String(req.headers['if-none-match'] ?? '').split(/\s*,\s*/).includes(etag)) {
      res.writeHead(304, headers);
      return void res.end();
    }
    sendBody(req, res, 200, { ...headers, 'content-type': 'text/javascript; charset=utf-8', 'content-disposition': `attachment; filename="${CLI_FILE_NAME}"` }, cli.bytes);
  };
  const sha = (req: Request, res: Response): void => {
    if ('missing' in cli) return missing(req, res, cli.missing);
    sendBody(req, res, 200, { etag, 'cache-control': CACHE_CONTROL, 'content-type': 'text/plain; charset=utf-8' }, `${cli.sha256}  ${CLI_FILE_NAME}\n`);
  };
  for (const [path, handler] of [[CLI_PATH, file], [CLI_SHA256_PATH, sha]] as const) {
    const route = (req: Request, res: Response, next: Next): void => {
      handler(req, res);
      next(false);
    };
    server.get(path, route);
    server.head(path, route);
  }
}
