/** The Bot Framework connector as the bot sees it: records the replies and updates the bot sends. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from './serve.js';
import { eventually } from './eventually.js';
import { json, readBody } from './http-answers.js';

export interface Sent {
  method: 'POST' | 'PUT';
  conversation: string;
  id: string;
  activity: { type?: string; text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };
}

export interface ConnectorStub {
  url: string;
  sent: Sent[];
  /** Conversations whose activities the connector answers 503 (down for them), recording nothing. */
  down: Set<string>;
  close(): Promise<void>;
  waitFor(predicate: (s: Sent[]) => boolean, ms?: number): Promise<void>;
}

export async function startConnectorStub(): Promise<ConnectorStub> {
  const sent: Sent[] = [];
  const down = new Set<string>();
  let next = 0;
  const server = http.createServer((req, res) => {
    void readBody(req).then((body) => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
      if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
        res.writeHead(404).end();
        return;
      }
      if (down.has(decodeURIComponent(match[1]!))) {
        return json(res, 503, { error: { code: 'ServiceUnavailable', message: 'connector down (lab)' } });
      }
      const id = req.method === 'PUT' ? decodeURIComponent(match[2] ?? '') : `reply-${++next}`;
      sent.push({ method: req.method, conversation: decodeURIComponent(match[1]!), id, activity: JSON.parse(body || '{}') as Sent['activity'] });
      json(res, 200, { id });
    });
  });
  const served = await serve(server, '127.0.0.1', 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    down,
    close: served.close,
    waitFor: (predicate, ms = 20_000) =>
      eventually(() => predicate(sent), () => `connector did not see the expected activities: ${JSON.stringify(sent.map((s) => [s.method, s.id, s.activity.text ?? s.activity.attachments?.[0]?.contentType]))}`, ms),
  };
}
