/**
 * Which proxy an Azure SDK request goes through, and what that proxy answered to CONNECT.
 * core-rest-pipeline's proxy policy puts an https-proxy-agent on the request; that agent reports
 * the proxy's answer as a `proxyConnect` event, and nothing else does: a refused CONNECT reaches
 * the SDK as if the endpoint itself had answered with the proxy's status.
 */
import { EventEmitter } from 'node:events';
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { redactUrl, selectProxy } from '../net/proxy-env.js';

export interface ProxyRoute {
  /** The proxy as shown: credentials removed. */
  display: string;
  /** Its answer to CONNECT for this request, once it gave one. */
  connectStatus?: number;
  /** Stops listening for the answer (the agent is shared by the client's requests). */
  stop(): void;
}

interface ProxyAgent extends EventEmitter {
  proxy: URL;
}

const isProxyAgent = (agent: unknown): agent is ProxyAgent => agent instanceof EventEmitter && (agent as { proxy?: unknown }).proxy instanceof URL;

/**
 * The proxy of an https request to `host`, watched until `stop`. The SDK reads NO_PROXY more
 * narrowly than curl, Docker and our own probes (no `*`, no `*.domain`, no ports): where the
 * probes' reading (selectProxy) keeps a host off the proxy, the request goes direct too, so the
 * report describes one route, the one the user's tools take.
 */
export function routeThroughProxy(request: PipelineRequest, host: string): ProxyRoute | undefined {
  const agent = request.agent;
  if (!request.url.startsWith('https:') || !isProxyAgent(agent)) return undefined;
  if (!selectProxy(host)) {
    request.agent = undefined;
    return undefined;
  }
  const route: ProxyRoute = {
    display: redactUrl(agent.proxy),
    stop: () => agent.off('proxyConnect', onConnect),
  };
  // One agent serves every request of a client: an answer counts for the request to this host.
  const onConnect = (answer: { statusCode?: unknown }, req: { host?: unknown }): void => {
    if (typeof answer.statusCode === 'number' && typeof req.host === 'string' && req.host.toLowerCase() === host) route.connectStatus = answer.statusCode;
  };
  agent.on('proxyConnect', onConnect);
  return route;
}
