/**
 * Recent failed logins to the registry from its resource logs (ContainerRegistryLoginEvents in a
 * Log Analytics workspace): the caller IP and identity ACR saw, wherever the client runs.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import type { AzureCloud } from '../azure/cloud.js';
import type { LoginFailure } from '../report/types.js';

const LOG_ANALYTICS: Record<AzureCloud['name'], string> = {
  AzureCloud: 'https://api.loganalytics.io',
  AzureChinaCloud: 'https://api.loganalytics.azure.cn',
  AzureUSGovernment: 'https://api.loganalytics.us',
  Custom: 'https://api.loganalytics.io',
};

export function logAnalyticsEndpoint(cloud: AzureCloud, env: NodeJS.ProcessEnv): string {
  return (env.LOG_ANALYTICS_ENDPOINT || LOG_ANALYTICS[cloud.name]).replace(/\/+$/, '');
}

/** The query, for one login server (only ever a validated `<name>.azurecr.<suffix>`). */
export function loginFailuresQuery(loginServer: string): string {
  if (!/^[a-z0-9]{5,50}\.azurecr\.(io|cn|us)$/.test(loginServer)) throw new Error(`not a login server: ${loginServer}`);
  return [
    'ContainerRegistryLoginEvents',
    `| where LoginServer =~ "${loginServer}" and ResultType != "200"`,
    '| project TimeGenerated, Identity, CallerIpAddress, ResultType, ResultDescription',
    '| top 20 by TimeGenerated desc',
  ].join('\n');
}

export type LoginEventsReader = (loginServer: string, signal: AbortSignal) => Promise<LoginFailure[]>;

export function createLoginEventsReader(credential: TokenCredential, cloud: AzureCloud, workspaceId: string, env: NodeJS.ProcessEnv, httpClient?: HttpClient): LoginEventsReader {
  const endpoint = logAnalyticsEndpoint(cloud, env);
  const transport = httpClient ? { httpClient } : {};
  return async (loginServer, signal) => {
    const { LogsQueryClient } = await import('@azure/monitor-query-logs');
    const client = new LogsQueryClient(credential, { endpoint: `${endpoint}/v1`, credentials: { scopes: [`${endpoint}/.default`] }, retryOptions: { maxRetries: 0 }, ...transport });
    const result = await client.queryWorkspace(workspaceId, loginFailuresQuery(loginServer), { duration: 'PT1H' }, { abortSignal: signal });
    const table = result.status === 'Success' ? result.tables[0] : result.partialTables[0];
    if (!table) return [];
    const column = (name: string): number => table.columnDescriptors.findIndex((c) => c.name === name);
    const [time, identity, ip, code, description] = ['TimeGenerated', 'Identity', 'CallerIpAddress', 'ResultType', 'ResultDescription'].map(column);
    const cell = (row: unknown[], index: number | undefined): string => {
      const value = index === undefined || index < 0 ? undefined : row[index];
      return value instanceof Date ? value.toISOString() : value === undefined || value === null ? '' : String(value);
    };
    return table.rows.map((row) => ({
      time: cell(row, time),
      identity: cell(row, identity),
      callerIp: cell(row, ip),
      result: cell(row, code),
      description: cell(row, description),
    }));
  };
}
