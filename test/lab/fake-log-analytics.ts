/**
 * The Log Analytics query API for the lab (`POST /v1/workspaces/{id}/query`), answering the
 * ContainerRegistryLoginEvents query with the failed logins staged for the login server it names.
 */
import https from 'node:https';
import { serve } from './serve.js';
import type { KeyPair } from './pki.js';
import { json as answer } from './http-answers.js';

export const LOG_ANALYTICS_HOST = 'api.loganalytics.lab.example';
export const LAB_WORKSPACE = '6c9e1b2a-0000-4000-8000-0000000000aa';

export interface StagedLoginFailure {
  identity: string;
  callerIp: string;
  result: string;
}

const COLUMNS = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'Identity', type: 'string' },
  { name: 'CallerIpAddress', type: 'string' },
  { name: 'ResultType', type: 'string' },
  { name: 'ResultDescription', type: 'string' },
];

export async function startFakeLogAnalytics(address: string, pair: KeyPair, failures: Record<string, StagedLoginFailure[]>, port = 443): Promise<{ close(): Promise<void> }> {
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const json = (status: number, value: object): void => answer(res, status, value);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'no token' } });
      if (req.method !== 'POST' || req.url?.split('?')[0] !== `/v1/workspaces/${LAB_WORKSPACE}/query`) return json(404, { error: { code: 'WorkspaceNotFound', message: 'no such workspace' } });
      const query = String((JSON.parse(body || '{}') as { query?: unknown }).query ?? '');
      const loginServer = /LoginServer =~ "([^"]+)"/.exec(query)?.[1] ?? '';
      const rows = (failures[loginServer] ?? []).map((f, i) => [new Date(Date.now() - (i + 1) * 60_000).toISOString(), f.identity, f.callerIp, f.result, f.result === '403' ? 'denied' : 'unauthorized']);
      json(200, { tables: [{ name: 'PrimaryResult', columns: COLUMNS, rows }] });
    });
  });
  return serve(server, address, port);
}
