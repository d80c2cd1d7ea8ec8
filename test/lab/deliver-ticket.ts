/**
 * One ticket delivered as the bot delivers it: the sink the environment configures (TICKET_SINK,
 * TICKET_WEBHOOK_*, the proxy variables), made by the bot's own composition code, then asked once
 * for the ticket of `<key>`. Prints the ticket as JSON, or the error on stderr with exit code 1.
 * The lab runs it as its own process, so the environment it reads is exactly the one given.
 */
import { fileURLToPath } from 'node:url';
import { readTicketConfig, ticketSink } from '../../src/escalation/sinks/choose.js';
import { sampleTicketRequest } from '../helpers/ticket-request.js';

async function main(key: string): Promise<void> {
  const sink = ticketSink(readTicketConfig(process.env));
  const ticket = await sink.deliver(sampleTicketRequest({ key }), AbortSignal.timeout(10_000));
  process.stdout.write(`${JSON.stringify(ticket)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? 'acr-doctor-lab-ticket').then(
    // Keep-alive connections would hold the process open; the answer is all that was wanted.
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
