/**
 * `npm run tickets`: the escalations this bot has recorded (its outbox: created, pending, failed)
 * and the tickets of the local store, newest first. `npm run tickets -- <id or key>` prints one
 * whole, as a support engineer would read it; `--json` for scripts.
 */
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import type { Escalation } from '../escalation/escalations.js';
import path from 'node:path';
import { QUARANTINE, quarantined, readJsonDir } from '../escalation/json-files.js';
import { localStoreDir, outboxDir, readTicketConfig } from '../escalation/sinks/choose.js';
import type { StoredTicket } from '../escalation/sinks/local-store.js';
import { ticketText } from '../escalation/ticket-text.js';

interface Row {
  id: string;
  key: string;
  created: string;
  state: string;
  sink: string;
  severity: string;
  registry: string;
  title: string;
  detail?: string;
}

export async function ticketRows(dataDir: string): Promise<{ rows: Row[]; escalations: Escalation[]; stored: StoredTicket[]; damaged: string[] }> {
  // A damaged file is moved aside (as the bot does) and listed, never a reason to list nothing.
  const escalations = await readJsonDir<Escalation>(outboxDir(dataDir));
  const stored = await readJsonDir<StoredTicket>(localStoreDir(dataDir));
  const damaged = [
    ...(await quarantined(outboxDir(dataDir))).map((name) => path.join(outboxDir(dataDir), QUARANTINE, name)),
    ...(await quarantined(localStoreDir(dataDir))).map((name) => path.join(localStoreDir(dataDir), QUARANTINE, name)),
  ];
  const rows: Row[] = escalations.map((e) => ({
    id: e.ticket?.id ?? '-',
    key: e.key,
    created: e.createdAt,
    state: e.state,
    sink: e.ticket?.sink ?? '-',
    severity: e.request.severity,
    registry: e.request.report.registry.loginServer,
    title: e.request.title,
    ...(e.state === 'created' ? (e.ticket?.url ? { detail: e.ticket.url } : {}) : e.lastError ? { detail: `${e.lastError}${e.nextAttemptAt ? ` (next attempt ${e.nextAttemptAt})` : ''}` } : {}),
  }));
  // Local tickets whose outbox record is gone (another data dir, a cleaned outbox) still show.
  const known = new Set(rows.map((r) => r.key));
  for (const t of stored) if (!known.has(t.key)) rows.push({ id: t.id, key: t.key, created: t.createdAt, state: 'created', sink: 'local', severity: t.severity, registry: t.registry, title: t.title });
  rows.sort((a, b) => b.created.localeCompare(a.created));
  return { rows, escalations, stored, damaged };
}

function table(rows: Row[]): string {
  const head: Row = { id: 'ID', key: '', created: 'CREATED', state: 'STATE', sink: '', severity: 'SEVERITY', registry: 'REGISTRY', title: 'TITLE' };
  const cols: (keyof Row)[] = ['id', 'created', 'state', 'severity', 'registry', 'title'];
  // Each column as wide as its widest cell, measured once for the whole table.
  const widths = cols.map((c) => Math.max(...[head, ...rows].map((r) => String(r[c] ?? '').length)));
  const line = (r: Row): string => cols.map((c, i) => (i === cols.length - 1 ? String(r[c]) : String(r[c]).padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.flatMap((r) => [line(r), ...(r.detail ? [`  ${r.detail}`] : [])])].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const program = new Command('tickets')
    .description('the escalations and tickets this bot has recorded')
    .argument('[ticket]', 'a ticket id or idempotency key: print that one whole')
    .option('--json', 'JSON instead of a table')
    .option('--data-dir <dir>', 'where the bot keeps them (default: DATA_DIR, else ./data)')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    return (err as { exitCode?: number }).exitCode ?? 2;
  }
  const options = program.opts<{ json?: boolean; dataDir?: string }>();
  const dataDir = readTicketConfig({ ...env, ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}) }).dataDir;
  const { rows, escalations, stored, damaged } = await ticketRows(dataDir);
  const wanted = program.args[0];
  if (wanted) {
    const escalation = escalations.find((e) => e.key === wanted || e.ticket?.id === wanted);
    const ticket = stored.find((t) => t.key === wanted || t.id === wanted);
    const request = escalation?.request ?? ticket?.request;
    if (!request) {
      process.stderr.write(`tickets: no ticket ${JSON.stringify(wanted)} in ${dataDir}\n`);
      return 1;
    }
    out(options.json ? `${JSON.stringify({ escalation, ticket }, null, 2)}\n` : `${request.title}\n${'='.repeat(Math.min(request.title.length, 80))}\n${ticketText(request)}\n`);
    return 0;
  }
  const quarantineNote = `Quarantined (damaged files, not delivered; repair or remove them):\n${damaged.map((f) => `  ${f}`).join('\n')}\n`;
  if (options.json) {
    out(`${JSON.stringify(rows, null, 2)}\n`);
    if (damaged.length) process.stderr.write(quarantineNote);
  } else {
    out(rows.length ? `${table(rows)}\n` : `No tickets yet in ${dataDir}.\n`);
    if (damaged.length) out(`\n${quarantineNote}`);
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`tickets: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
