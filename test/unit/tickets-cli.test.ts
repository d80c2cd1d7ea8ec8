import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { main } from '../../src/cli/tickets.js';
import { Escalations } from '../../src/escalation/escalations.js';
import { localStoreDir, outboxDir } from '../../src/escalation/sinks/choose.js';
import { LocalTicketStore } from '../../src/escalation/sinks/local-store.js';
import { SinkError } from '../../src/escalation/ticket.js';
import { sampleTicketRequest } from '../helpers/ticket-request.js';

async function run(args: string[], dataDir: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main([...args, '--data-dir', dataDir], {}, (s) => (out += s));
  return { code, out };
}

describe('npm run tickets', function () {
  it('lists created, pending and failed escalations, newest first, and prints one whole', async function () {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acr-data-'));
    assert.match((await run([], dataDir)).out, /No tickets yet/);
    const logger = pino({ level: 'silent' });
    const local = new Escalations({ sink: new LocalTicketStore(localStoreDir(dataDir)), dir: outboxDir(dataDir), logger, notify: async () => undefined });
    const created = await local.submit(sampleTicketRequest({ title: 'Denied from AKS' }), {});
    const down = new Escalations({ sink: { kind: 'webhook', severities: ['moderate'], needsSubscription: false, deliver: () => Promise.reject(new SinkError('webhook answered 400: unknown queue', true)), find: () => Promise.resolve(undefined) }, dir: outboxDir(dataDir), logger, notify: async () => undefined });
    await down.submit(sampleTicketRequest({ title: 'Refused one' }), {});

    const { code, out } = await run([], dataDir);
    assert.equal(code, 0);
    assert.match(out, /^ID\s+CREATED\s+STATE\s+SEVERITY\s+REGISTRY\s+TITLE/);
    assert.match(out, new RegExp(`${created.ticket!.id}.*created.*moderate.*myregistry\\.azurecr\\.io.*Denied from AKS`));
    assert.match(out, /-\s.*failed.*Refused one\n {2}webhook answered 400: unknown queue/);

    const one = await run([created.ticket!.id], dataDir);
    assert.match(one.out, /^Denied from AKS\n=+\nPulls fail since this morning\.\n\n--- Diagnosis/);
    const json = JSON.parse((await run(['--json'], dataDir)).out) as { state: string }[];
    assert.deepEqual(json.map((r) => r.state).sort(), ['created', 'failed']);
    assert.equal((await run(['ACR-nope'], dataDir)).code, 1);
  });

  it('one damaged outbox file is moved to quarantine and listed; the other escalations still show and resume', async function () {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acr-data-'));
    const logger = pino({ level: 'silent' });
    const warned: string[] = [];
    const outbox = new Escalations({ sink: new LocalTicketStore(localStoreDir(dataDir)), dir: outboxDir(dataDir), logger, notify: async () => undefined });
    const good = await outbox.submit(sampleTicketRequest({ title: 'Still here' }), {});
    const damagedFile = path.join(outboxDir(dataDir), 'acr-doctor-0123456789abcdef0123456789abcdef.json');
    writeFileSync(damagedFile, '{"key": "acr-doctor-0123');
    const restarted = new Escalations({ sink: new LocalTicketStore(localStoreDir(dataDir)), dir: outboxDir(dataDir), logger: { ...logger, warn: (o: object) => void warned.push(JSON.stringify(o)) } as unknown as typeof logger, notify: async () => undefined });
    assert.equal(await restarted.start(), 0, 'starts despite the damaged file');
    restarted.stop();
    assert.equal(warned.length, 1);
    assert.ok(!existsSync(damagedFile), 'moved out of the outbox');
    const { code, out } = await run([], dataDir);
    assert.equal(code, 0);
    assert.match(out, new RegExp(`${good.ticket!.id}.*Still here`));
    assert.match(out, /Quarantined \(damaged files, not delivered; repair or remove them\):\n {2}.*quarantine\/acr-doctor-0123456789abcdef0123456789abcdef\.json/);
  });
});
