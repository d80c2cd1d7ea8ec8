/** Azurite, the Azure Storage emulator, on loopback: Blob Storage for the bot's conversation state. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './oci-registry.js';
import type { KeyPair } from './pki.js';

/** Azurite's well-known development account (public, documented by Microsoft for the emulator). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Azurite on loopback. With `entra`, it serves https (OAuth needs it) with that certificate and takes
 * Entra bearer tokens (`--oauth basic`: lifetime, issuer and audience checked, not the signature), as
 * a storage account without shared keys does; `blobUrl` is then the account's endpoint.
 */
export async function startAzurite(port: number, entra?: KeyPair): Promise<{ connectionString: string; blobUrl: string; close(): void }> {
  const bin = fileURLToPath(new URL('../../../node_modules/.bin/azurite-blob', import.meta.url));
  const location = mkdtempSync(path.join(os.tmpdir(), 'acr-azurite-'));
  const tls = entra ? ['--cert', entra.certPath, '--key', entra.keyPath, '--oauth', 'basic'] : [];
  const child = spawn(bin, ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location, '--silent', '--skipApiVersionCheck', '--loose', ...tls], { stdio: 'ignore' });
  await waitForPort(port, '127.0.0.1', 20_000);
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    blobUrl: `https://localhost:${port}/${DEV_ACCOUNT}`,
    close: () => child.kill('SIGTERM'),
  };
}
