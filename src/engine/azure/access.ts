/**
 * The composition root for Azure, shared by the fronts: one credential, made here and used by the
 * ARM readers, the login-events reader and the token exchange. Nothing is loaded until used.
 */
import type { TokenCredential } from '@azure/identity';
import { logAnalyticsEndpoint, type LoginEventsReader } from '../arm/login-events.js';
import type { DiagnoseRequest } from '../diagnose.js';
import type { RegistryTarget } from '../target/registry-target.js';
import { cloudFor, type AzureCloud } from './cloud.js';
import { defaultCredential, environmentCredential, hasEnvironmentCredentials, managedIdentityIntended, sharedTokens, tokenSource, type SignInOptions } from './credential.js';
import { EndpointWatch, withWatch, type EndpointOf } from './endpoint-watch.js';
import type { AzureClients } from './clients.js';
import type { ArmApi } from '../arm/sdk.js';
import type { AzureEndpoint } from './unreachable.js';

const IMDS_HOST = '169.254.169.254';

/** The run's Azure hosts by role; IMDS only where a managed identity is meant to answer. */
export function azureEndpoints(cloud: AzureCloud, env: NodeJS.ProcessEnv): EndpointOf {
  const hosts = new Map<string, AzureEndpoint>([
    [new URL(logAnalyticsEndpoint(cloud, env)).hostname, 'log-analytics'],
    [new URL(cloud.armEndpoint).hostname, 'arm'],
    [new URL(cloud.authorityHost).hostname, 'entra'],
  ]);
  if (managedIdentityIntended(env)) hosts.set(IMDS_HOST, 'imds');
  return (host) => hosts.get(host.toLowerCase());
}

export interface AzureAccessOptions {
  target: RegistryTarget;
  /** Read the registry's configuration from ARM (false: --no-arm). */
  arm: boolean;
  subscription?: string;
  workspace?: string;
  /** Only these subscriptions and resource groups are read (the asker's, in the bot's bot mode); everything when absent. */
  scopes?: string[];
  /** The identity to read with instead of the environment's (the asker's, on their behalf). */
  credential?: () => Promise<TokenCredential>;
  /** The environment's identity and ARM clients, made once by the front (one per run when absent). */
  clients?: AzureClients;
}

/** The ARM readers with every call made as `watch`'s run, and failures explained by it. */
function watchedApi(api: ArmApi, watch: EndpointWatch): ArmApi {
  const as = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> => withWatch(watch, () => call(...args));
  return {
    subscriptions: as((signal) => api.subscriptions(signal)),
    registriesIn: as((subscriptionId, signal) => api.registriesIn(subscriptionId, signal)),
    registry: as((id, signal) => api.registry(id, signal)),
    replicationRegions: as((id, signal) => api.replicationRegions(id, signal)),
    privateEndpoint: as((id, signal) => api.privateEndpoint(id, signal)),
    privateZone: as((id, signal) => api.privateZone(id, signal)),
    providerState: as((subscriptionId, namespace, signal) => api.providerState(subscriptionId, namespace, signal)),
    managedCluster: as((id, signal) => api.managedCluster(id, signal)),
    pullRoles: as((scope, principalId, signal) => api.pullRoles(scope, principalId, signal)),
    clustersIn: as((subscriptionId, signal) => api.clustersIn(subscriptionId, signal)),
    publicAddress: as((id, signal) => api.publicAddress(id, signal)),
    natGateway: as((id, signal) => api.natGateway(id, signal)),
    virtualNetwork: as((id, signal) => api.virtualNetwork(id, signal)),
    routes: as((id, signal) => api.routes(id, signal)),
    firewallsIn: as((subscriptionId, signal) => api.firewallsIn(subscriptionId, signal)),
    explain: (err, service) => watch.explain(err, service),
  };
}

export function azureAccess(options: AzureAccessOptions, env: NodeJS.ProcessEnv): Pick<DiagnoseRequest, 'arm' | 'tokenSource'> {
  const cloud = cloudFor(options.target.suffix, env);
  // One watched transport for every Azure call of the run, so a failure names its host (see EndpointWatch).
  const watch = new EndpointWatch(azureEndpoints(cloud, env));
  const signIn: SignInOptions = { httpClient: watch.httpClient, retries: 0 };
  if (!options.arm) {
    // Without ARM, only an identity configured in the environment is used, for the token exchange.
    return hasEnvironmentCredentials(env) ? { tokenSource: tokenSource(cloud, () => environmentCredential(cloud, env, signIn), env, watch) } : {};
  }
  // The process's identity and clients (made once, by the front), unless this run reads as someone else.
  const clients = options.credential ? undefined : options.clients;
  let credential: Promise<TokenCredential> | undefined;
  // The process's identity (its requests still watched by this run), or one made for this run.
  const shared = (): Promise<TokenCredential> =>
    clients ? clients.credential(cloud) : (credential ??= (options.credential ? options.credential() : defaultCredential(cloud, env, signIn)).then(sharedTokens));
  /** The ARM readers: the process's, each call watched as this run's, or made for this run over its watched transport. */
  const readers = async (): Promise<ArmApi> => {
    if (clients) return watchedApi(await withWatch(watch, () => clients.arm(cloud)), watch);
    // The readers' code, the identity and its first token load side by side, not one after another:
    // the first ARM request then finds the token already asked for (sharedTokens hands it over).
    const [sdk, made] = await Promise.all([import('../arm/sdk.js'), shared()]);
    made.getToken(`${cloud.armEndpoint}/.default`).catch(() => undefined);
    return sdk.createArmApi(made, cloud, watch);
  };
  return {
    tokenSource: tokenSource(cloud, shared, env, watch),
    arm: {
      api: async () => {
        const api = await readers();
        return options.scopes ? (await import('../arm/scoped-api.js')).scopedArmApi(api, options.scopes) : api;
      },
      ...(options.subscription ? { subscription: options.subscription } : {}),
      ...(options.workspace ? { loginEvents: loginEventsFrom(shared, cloud, options.workspace, env, watch) } : {}),
    },
  };
}

/** The login-events reader, loaded with its SDK only when the first query runs. */
function loginEventsFrom(credential: () => Promise<TokenCredential>, cloud: AzureCloud, workspace: string, env: NodeJS.ProcessEnv, watch: EndpointWatch): LoginEventsReader {
  return (loginServer, signal) =>
    withWatch(watch, async () => (await import('../arm/login-events.js')).createLoginEventsReader(await credential(), cloud, workspace, env, watch.httpClient)(loginServer, signal));
}
