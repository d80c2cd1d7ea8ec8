/**
 * In the lab's namespace, because the SDKs are pointed at Azure's real host names (MSAL treats
 * login.microsoftonline.com apart): should a request ever miss the loopback proxy, it has nowhere to go.
 *
 * Azure SDK requests through a proxy that fails them, with the real SDK clients (core-rest-pipeline's
 * default client and proxy policy, @azure/identity, @azure/arm-resources) and real proxies on
 * loopback: the failure is the proxy's, named with what it answered, never put on the Azure host.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { HttpClient, PipelineRequest } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { Agent } from 'undici';
import { armFailure } from '../../src/engine/arm/arm-error.js';
import { createArmApi } from '../../src/engine/arm/sdk.js';
import { cloudFor } from '../../src/engine/azure/cloud.js';
import { tokenSource } from '../../src/engine/azure/credential.js';
import { EndpointWatch } from '../../src/engine/azure/endpoint-watch.js';
import { routeThroughProxy } from '../../src/engine/azure/proxy-route.js';
import type { AzureEndpoint, EndpointFailure, Unreachable } from '../../src/engine/azure/unreachable.js';
import { timeoutError } from '../../src/engine/net/deadlines.js';
import { type Outcome } from '../../src/engine/probes/evidence.js';
import { probeExchange } from '../../src/engine/probes/exchange.js';
import { renderCheck } from '../../src/engine/report/render.js';
import { LANGS } from '../../src/engine/report/types.js';
import { assertIsolated } from './isolation.js';

const cloud = cloudFor('azurecr.io', {});
const ENTRA = 'login.microsoftonline.com';
const ARM = 'management.azure.com';
const ENDPOINTS: Record<string, AzureEndpoint> = { [ENTRA]: 'entra', [ARM]: 'arm' };
const endpointOf = (host: string): AzureEndpoint | undefined => ENDPOINTS[host];

const SQUID_PAGE = '<html><body>ERR_ACCESS_DENIED</body></html>';
/** What each staged proxy does with a CONNECT; squid's 403 comes with its HTML page, as Squid sends it. */
const PROXIES: Record<string, (socket: net.Socket) => void> = {
  denies: (s) => s.end(`HTTP/1.1 403 Forbidden\r\nServer: squid/5.7\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Type: text/html\r\nContent-Length: ${SQUID_PAGE.length}\r\n\r\n${SQUID_PAGE}`),
  'wants credentials': (s) => s.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n'),
  'answers 502': (s) => s.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'),
  closes: (s) => s.destroy(),
  'never answers': () => undefined,
};

interface Staged {
  url: string;
  close(): Promise<void>;
}

async function stageProxy(onConnect: (socket: net.Socket) => void): Promise<Staged> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => onConnect(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

/** A loopback port where nothing listens (bound, then closed). */
async function refusingPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * The proxy variables as a run sees them; the SDK reads them when a client is made. Every other
 * spelling proxy-from-env reads is cleared, so no variable of the machine running the tests sends
 * a request past the loopback proxy.
 */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'npm_config_https_proxy', 'npm_config_proxy', 'npm_config_no_proxy', 'ALL_PROXY', 'all_proxy'];
async function withProxy<T>(proxy: string, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) Reflect.deleteProperty(process.env, name);
  process.env.HTTPS_PROXY = proxy;
  try {
    return await run();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

/** Tokens of a service principal, signed in through the watched transport without retries, as the CLI does. */
async function servicePrincipalTokens(watch: EndpointWatch): Promise<ReturnType<typeof tokenSource>> {
  const { ClientSecretCredential } = await import('@azure/identity');
  const credential = new ClientSecretCredential('72f988bf-0000-4000-8000-00000000cafe', '11111111-2222-4333-8444-555555555555', 'secret', {
    authorityHost: `https://${ENTRA}`,
    disableInstanceDiscovery: true,
    retryOptions: { maxRetries: 0 },
    httpClient: watch.httpClient,
  });
  return tokenSource(cloud, () => Promise.resolve(credential), {}, watch);
}

/** Signs in with a service principal through the watched transport, as the CLI does, within `ms`. */
async function signIn(watch: EndpointWatch, ms: number): Promise<unknown> {
  const source = await servicePrincipalTokens(watch);
  return source(AbortSignal.timeout(ms)).then(
    () => undefined,
    (err: unknown) => err,
  );
}

/** Reads ARM through the watched transport with a token that needs no sign-in. */
async function readArm(watch: EndpointWatch, ms: number): Promise<unknown> {
  const credential: TokenCredential = { getToken: () => Promise.resolve({ token: 'e30.e30.sig', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const api = createArmApi(credential, cloud, watch);
  return api.providerState('0b1f6471-1bf0-4dda-aec3-111122223333', 'Microsoft.ContainerRegistry', AbortSignal.timeout(ms)).then(
    () => undefined,
    (err: unknown) => err,
  );
}

/** The check names the Azure host and the proxy, says what the proxy did, in every language; credentials never. */
function assertProxyNamed(outcome: Outcome, host: string, proxy: string, answer: RegExp, kind = 'arm.registry'): void {
  for (const lang of LANGS) {
    const detail = renderCheck(lang, { ...outcome, id: kind, kind, durationMs: 1 }).detail;
    assert.ok(detail.includes(host) && detail.includes(proxy), `${lang}: ${detail}`);
    assert.match(detail, answer, `${lang}: ${detail}`);
    assert.doesNotMatch(detail, /\{\w+\}|s3cret|deadline/, `${lang}: ${detail}`);
  }
}

const EXPECTED: [proxy: string, failure: EndpointFailure, statusCode: number | undefined, answer: RegExp][] = [
  ['denies', 'proxy-denied', 403, /403/],
  ['wants credentials', 'proxy-auth-required', 407, /407/],
  ['answers 502', 'proxy-status', 502, /502/],
  ['closes', 'proxy-closed', undefined, /EOF/],
  ['never answers', 'proxy-timeout', undefined, /CONNECT/],
];

describe('Azure endpoints through a proxy that fails the request: the proxy is named, with what it answered', function () {
  before(() => assertIsolated());

  this.timeout(10_000);

  for (const [name, failure, statusCode, answer] of EXPECTED) {
    it(`a proxy that ${name}: sign-in and ARM say ${failure}, proxy named, not the Azure host failing`, async function () {
      const proxy = await stageProxy(PROXIES[name]!);
      try {
        await withProxy(proxy.url, async () => {
          const ms = failure === 'proxy-timeout' ? 300 : 3000;
          const signInWatch = new EndpointWatch(endpointOf);
          const signInError = await signIn(signInWatch, ms);
          const entra = signInWatch.explain(signInError, 'arm');
          assert.deepEqual(entra && pick(entra), { endpoint: 'entra', host: ENTRA, failure, proxy: proxy.url, statusCode });
          assertProxyNamed(armFailure(signInError, {}, entra), ENTRA, proxy.url, answer);

          const armWatch = new EndpointWatch(endpointOf);
          const armError = await readArm(armWatch, ms);
          const arm = armWatch.explain(armError ?? timeoutError(), 'arm');
          assert.deepEqual(arm && pick(arm), { endpoint: 'arm', host: ARM, failure, proxy: proxy.url, statusCode });
          const outcome = armFailure(armError, {}, arm);
          assert.equal(outcome.outcome, `arm.unreachable.${failure}`, 'not arm.forbidden: the proxy answered, not ARM');
          assertProxyNamed(outcome, ARM, proxy.url, answer);
        });
      } finally {
        await proxy.close();
      }
    });
  }

  it('a proxy address where nothing listens: proxy-refused, the proxy named, not "login.microsoftonline.com refused"', async function () {
    const url = await refusingPort();
    await withProxy(url, async () => {
      const watch = new EndpointWatch(endpointOf);
      const err = await signIn(watch, 3000);
      const entra = watch.explain(err, 'arm');
      assert.deepEqual(entra && pick(entra), { endpoint: 'entra', host: ENTRA, failure: 'proxy-refused', proxy: url, statusCode: undefined });
      assertProxyNamed(armFailure(err, {}, entra), ENTRA, url, /refused|отклонил|رفض/);
    });
  });

  it('the token exchange says the same, and the proxy is shown without its credentials', async function () {
    const proxy = await stageProxy(PROXIES['wants credentials']!);
    const withCredentials = proxy.url.replace('://', '://builder:s3cret@');
    const dispatcher = new Agent();
    try {
      await withProxy(withCredentials, async () => {
        const watch = new EndpointWatch(endpointOf);
        const source = await servicePrincipalTokens(watch);
        // The registry itself is never dialled: the token is missing before the exchange is sent.
        const outcome = await probeExchange('myregistry.azurecr.io', dispatcher, AbortSignal.timeout(3000), source);
        assert.equal(outcome.outcome, 'exchange.unreachable.proxy-auth-required');
        assert.equal(outcome.data.proxy, proxy.url.replace('://', '://REDACTED@'));
        assertProxyNamed(outcome, ENTRA, proxy.url.replace('http://', ''), /407/, 'exchange');
        assert.doesNotMatch(JSON.stringify(outcome), /s3cret|builder/);
      });
    } finally {
      await dispatcher.close();
      await proxy.close();
    }
  });

  const BELOW_THE_SDK: [code: string, message: string, failure: EndpointFailure][] = [
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN proxy.corp.example', 'proxy-dns'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.3.128.9:3128', 'proxy-unreachable'],
  ];
  for (const [code, message, failure] of BELOW_THE_SDK) {
    it(`a proxy that fails with ${code}: ${failure}, the proxy named`, async function () {
      // Staged below the SDK: a real lookup or route would leave loopback.
      const agent = Object.assign(new EventEmitter(), { proxy: new URL('http://proxy.corp.example:3128') });
      const failing: HttpClient = { sendRequest: (r) => Promise.reject(Object.assign(new Error(message), { name: 'RestError', code, request: r })) };
      await withProxy('http://proxy.corp.example:3128', async () => {
        const watch = new EndpointWatch(endpointOf, failing);
        const err = await watch.httpClient.sendRequest({ url: `https://${ARM}/subscriptions`, agent } as unknown as PipelineRequest).catch((e: unknown) => e);
        const arm = watch.explain(err, 'arm');
        assert.deepEqual(arm && pick(arm), { endpoint: 'arm', host: ARM, failure, proxy: 'http://proxy.corp.example:3128', statusCode: undefined });
        assertProxyNamed(armFailure(err, {}, arm), ARM, 'proxy.corp.example', new RegExp(code));
      });
    });
  }

  it('NO_PROXY as curl, Docker and the probes read it keeps the SDK off the proxy too', async function () {
    const agent = Object.assign(new EventEmitter(), { proxy: new URL('http://proxy.corp.example:3128') });
    const request = (): PipelineRequest => ({ url: `https://${ENTRA}/common/v2.0/.well-known/openid-configuration`, agent }) as unknown as PipelineRequest;
    await withProxy('http://proxy.corp.example:3128', async () => {
      const kept = request();
      assert.equal(routeThroughProxy(kept, ENTRA)?.display, 'http://proxy.corp.example:3128');
      assert.equal(kept.agent, agent);
      // The SDK's own reading of NO_PROXY knows no `*.` patterns: it would send this through the proxy.
      process.env.NO_PROXY = '*.microsoftonline.com';
      const direct = request();
      assert.equal(routeThroughProxy(direct, ENTRA), undefined);
      assert.equal(direct.agent, undefined);
    });
  });
});

function pick(u: Unreachable): Pick<Unreachable, 'endpoint' | 'host' | 'failure' | 'proxy' | 'statusCode'> {
  return { endpoint: u.endpoint, host: u.host, failure: u.failure, proxy: u.proxy, statusCode: u.statusCode };
}
