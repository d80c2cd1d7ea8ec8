/**
 * undici's dispatchers and request API, without the rest of its index. undici's index.js loads
 * fetch, WebSocket, EventSource, caches and mocks eagerly: over 200 KB of code a diagnosis never
 * runs, and ~70 ms of every CLI start on this project's machines (measured: 0.16 s → 0.08 s for
 * the import alone). This module assembles what we use exactly as that index does
 * (`Object.assign(Dispatcher.prototype, api)`). undici is pinned to an exact version for it.
 */
import type { Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import ClientClass from 'undici/lib/dispatcher/client.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import ProxyAgentClass from 'undici/lib/dispatcher/proxy-agent.js';
import api from 'undici/lib/api/index.js';

Object.assign(DispatcherClass.prototype, api);

export const Agent = AgentClass;
export const Client = ClientClass;
export const ProxyAgent = ProxyAgentClass;

export interface RequestOptions {
  dispatcher: Dispatcher;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** undici's `request(url, options)`, on an explicit dispatcher. */
export function request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ origin, path: `${pathname}${search}`, ...rest });
}
