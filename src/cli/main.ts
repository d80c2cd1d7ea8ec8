#!/usr/bin/env node
/** acr-check: diagnose, on the machine that fails, why it cannot reach an Azure Container Registry. */
import './wasm-baseline.js';
import path from 'node:path';
import { azureAccess } from '../engine/azure/access.js';
import { diagnose } from '../engine/diagnose.js';
import { langFromEnv, t } from '../engine/i18n/i18n.js';
import { renderHuman } from './human.js';
import { InfoExit, parseCli, UsageError } from './options.js';
import { terminalProgress } from './progress.js';
import { sendReport } from './send.js';
import { AzureClients } from '../engine/azure/clients.js';

export const EXIT = { healthy: 0, problem: 1, usage: 2, internal: 3, notSent: 4 } as const;

async function main(argv: string[]): Promise<number> {
  // The one place the CLI reads its environment: options, language and Azure settings are read from it.
  const env = process.env;
  let options;
  try {
    options = parseCli(argv, env, process.stdout);
  } catch (err) {
    if (err instanceof InfoExit) return EXIT.healthy;
    if (err instanceof UsageError) {
      const lang = langFromEnv(env);
      process.stderr.write(`${t(lang, 'cli.usageError', { message: err.message })}\n${t(lang, 'cli.usage')}\n${t(lang, 'cli.seeHelp')}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const showProgress = !options.json && process.stderr.isTTY === true;
  const progress = showProgress ? terminalProgress(process.stderr, t(options.lang, 'cli.running', { registry: options.target.loginServer }), options.lang) : undefined;
  const report = await diagnose({
    target: options.target,
    symptoms: options.symptoms,
    ...(options.client ? { client: options.client } : {}),
    dnsServers: options.dnsServers,
    dataEndpoints: options.dataEndpoints,
    // Made where the process starts, handed in: the identity and its ARM clients, once.
    ...azureAccess({ ...options, clients: new AzureClients(env) }, env),
    ...(options.aksCluster ? { aksCluster: options.aksCluster } : {}),
    // Windows keeps the hosts file under %SystemRoot%, which is not always C:\Windows.
    ...(process.platform === 'win32' && env.SystemRoot ? { hostsFile: path.win32.join(env.SystemRoot, 'System32', 'drivers', 'etc', 'hosts') } : {}),
    budgetMs: options.budgetMs,
    spentMs: Math.round(performance.now()),
    lang: options.lang,
    ...(progress ? { onProgress: progress.listener } : {}),
  });
  progress?.done();
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderHuman(report, color));
  if (options.send) {
    // On stderr, so --json keeps stdout to the report alone.
    const sent = await sendReport(report, options.send, options.lang);
    process.stderr.write(`${sent.line}\n`);
    if (!sent.ok) return EXIT.notSent;
  }
  return report.verdict === 'healthy' ? EXIT.healthy : EXIT.problem;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Lookups still blocked in the resolver's thread pool must not hold the process past its report.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${t(langFromEnv(process.env), 'cli.internalError', { message })}\n`);
    process.exit(EXIT.internal);
  },
);
