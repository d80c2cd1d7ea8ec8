/** The Bot Framework connector as the benched bots reach it: on loopback, timestamping per conversation what they send. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  /** When the conversation's first reply of any kind arrived. */
  first?: number;
  /** When acr-doctor's result card for the healthy lab registry arrived. */
  result?: number;
}

export interface ConnectorStub {
  serviceUrl: string;
  seen: Map<string, Seen>;
  close(): void;
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  const seen = new Map<string, Seen>();
  let replies = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
      const entry = seen.get(conversation) ?? {};
      entry.first ??= performance.now();
      if (req.method === 'PUT' && body.includes('HEALTHY')) entry.result ??= performance.now();
      seen.set(conversation, entry);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `r${++replies}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => void server.close() };
}
