/**
 * What making Azure access once saves a diagnosis: the ARM part of a diagnosis of a registry given
 * by name (the sign-in, the subscriptions, the registries, the token for the exchange), run against
 * the lab's Entra and ARM alternately with the process's AzureClients (made once, as the bot and the
 * CLI now do) and with a credential and clients made for the run (as before). Run inside the lab by
 * bench/bot-inside.ts (`npm run bench:bot`); prints one JSON line of milliseconds.
 */
import { azureAccess } from '../src/engine/azure/access.js';
import { AzureClients } from '../src/engine/azure/clients.js';
import { parseRegistryTarget } from '../src/engine/target/registry-target.js';
import { runMain } from '../test/helpers/run-main.js';

const ACCESSES = Number(process.env.BENCH_ACCESSES ?? 20);
const target = parseRegistryTarget('armdenied');

/** One diagnosis' Azure part; its duration in milliseconds. */
async function access(clients?: AzureClients): Promise<number> {
  const started = performance.now();
  const made = azureAccess({ target, arm: true, ...(clients ? { clients } : {}) }, process.env);
  const signal = AbortSignal.timeout(10_000);
  const api = await made.arm!.api();
  const [subscription] = await api.subscriptions(signal);
  const registries = await api.registriesIn(subscription!, signal);
  if (!registries.some((r) => r.name === target.name)) throw new Error(`${target.name} not found in the lab's ARM`);
  await made.tokenSource!(signal);
  return performance.now() - started;
}

async function main(): Promise<undefined> {
  const clients = new AzureClients(process.env);
  // Both paths load the SDKs once before anything is timed.
  await access(clients);
  await access();
  const once: number[] = [];
  const perRun: number[] = [];
  for (let i = 0; i < ACCESSES; i++) {
    // A B, then B A: a machine getting slower during the run weighs on both alike.
    if (i % 2 === 0) {
      once.push(await access(clients));
      perRun.push(await access());
    } else {
      perRun.push(await access());
      once.push(await access(clients));
    }
  }
  process.stdout.write(`${JSON.stringify({ once, perRun })}\n`);
  return undefined;
}

runMain('azure-once', main);
