/**
 * Azure access made once per process: for each cloud, one credential (the environment's identity,
 * its tokens kept while valid) and one set of ARM clients (kept per subscription), made by the front
 * where the process starts and handed to every run. Each run's requests are still watched by that
 * run (withWatch), so a failure names its host in the report of the run that met it.
 */
import type { TokenCredential } from '@azure/identity';
import type { ArmApi } from '../arm/sdk.js';
import type { AzureCloud } from './cloud.js';
import { defaultCredential, sharedTokens } from './credential.js';
import { sharedHttpClient } from './endpoint-watch.js';

interface PerCloud {
  credential: Promise<TokenCredential>;
  arm?: Promise<ArmApi>;
}

export class AzureClients {
  private readonly clouds = new Map<string, PerCloud>();

  /** `env`: the environment the identity is read from (handed in by the front's configuration). */
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private of(cloud: AzureCloud): PerCloud {
    const key = `${cloud.authorityHost}|${cloud.armEndpoint}`;
    let found = this.clouds.get(key);
    if (!found) {
      const credential = defaultCredential(cloud, this.env, { httpClient: sharedHttpClient, retries: 0 }).then(sharedTokens);
      // A credential that could not be made is made again next time, not remembered broken.
      credential.catch(() => this.clouds.delete(key));
      this.clouds.set(key, (found = { credential }));
    }
    return found;
  }

  /** The identity of this process for `cloud`. */
  credential(cloud: AzureCloud): Promise<TokenCredential> {
    return this.of(cloud).credential;
  }

  /** The ARM readers for `cloud`, over that identity; their SDK clients made once per subscription. */
  arm(cloud: AzureCloud): Promise<ArmApi> {
    const entry = this.of(cloud);
    entry.arm ??= Promise.all([import('../arm/sdk.js'), entry.credential]).then(([sdk, credential]) => sdk.createArmApi(credential, cloud, { httpClient: sharedHttpClient, explain: () => undefined }));
    return entry.arm;
  }
}
