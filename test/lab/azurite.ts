/** Azurite, the Azure Storage emulator, on loopback: Blob Storage for the bot's conversation state. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './oci-registry.js';

/** Azurite's well-known development account (public, documented by Microsoft for the emulator). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function startAzurite(port: number): Promise<{ connectionString: string; close(): void }> {
  const bin = fileURLToPath(new URL('../../../node_modules/.bin/azurite-blob', import.meta.url));
  const location = mkdtempSync(path.join(os.tmpdir(), 'acr-azurite-'));
  const child = spawn(bin, ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--skipApiVersionCheck', '--loose'], { stdio: 'ignore' });
  await waitForPort(port, '127.0.0.1', 20_000);
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    close: () => child.kill('SIGTERM'),
  };
}
