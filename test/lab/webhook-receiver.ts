/**
 * An in-house ticket queue behind a webhook, as the README tells receivers to write one: checks the
 * HMAC signature, answers a repeated Idempotency-Key with the ticket it already made, and answers
 * lookups by key. It can be down (503), slow (the ticket made, the answer late), or silent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from './serve.js';

export type ReceiverMode = 'ok' | 'down' | 'slow' | 'silent';

export interface ReceivedTicket {
  id: string;
  key: string;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  url: string;
  mode: ReceiverMode;
  /** How late a slow receiver answers. */
  slowMs: number;
  tickets: ReceivedTicket[];
  /** Every request: method, signature valid or not. */
  requests: { method: string; signed: boolean }[];
  close(): Promise<void>;
}

export function verifySignature(secret: string, header: string | undefined, body: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  const fresh = Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver = { mode: 'ok' as ReceiverMode, slowMs: 30_000, tickets: [] as ReceivedTicket[], requests: [] as WebhookReceiver['requests'] };
  const answer = (res: http.ServerResponse, status: number, body: object): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const signed = verifySignature(secret, req.headers['x-acr-doctor-signature'] as string | undefined, body);
      receiver.requests.push({ method: req.method ?? '', signed });
      if (receiver.mode === 'silent') return;
      if (receiver.mode === 'down') return answer(res, 503, { error: 'queue is down for maintenance' });
      if (!signed) return answer(res, 401, { error: 'bad signature' });
      const view = (t: ReceivedTicket): object => ({ id: t.id, url: `https://tickets.lab.example/${t.id}`, status: 'new' });
      const lookup = /^\/tickets\/([^/]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && lookup) {
        const found = receiver.tickets.find((t) => t.key === decodeURIComponent(lookup[1]!));
        return found ? answer(res, 200, view(found)) : answer(res, 404, { error: 'no such ticket' });
      }
      if (req.method !== 'POST' || req.url !== '/tickets') return answer(res, 404, { error: 'not here' });
      const key = String(req.headers['idempotency-key'] ?? '');
      let ticket = receiver.tickets.find((t) => t.key === key);
      if (!ticket) {
        ticket = { id: `INC${String(1000 + receiver.tickets.length + 1).padStart(7, '0')}`, key, body: JSON.parse(body) as Record<string, unknown> };
        receiver.tickets.push(ticket);
      }
      const created = ticket;
      if (receiver.mode === 'slow') return void setTimeout(() => answer(res, 201, view(created)), receiver.slowMs);
      answer(res, 201, view(created));
    });
  });
  const served = await serve(server, '127.0.0.1', 0);
  return Object.assign(receiver, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`, close: served.close });
}
