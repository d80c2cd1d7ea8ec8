/**
 * An in-house ticket queue behind a webhook, as docs/tickets-webhook.md tells receivers to write one:
 * checks the signature over method, path, key, time and body (refusing with 401 otherwise), answers
 * a repeated Idempotency-Key with the ticket it already made and refuses one reused for another
 * body, and answers lookups by key. It can be down (503), slow (the ticket made, the answer late),
 * or silent; with `tls` it speaks https.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifySignature, type SignatureVerdict } from '../../src/escalation/sinks/webhook-signature.js';
import { serve } from './serve.js';
import { json } from './http-answers.js';

export type ReceiverMode = 'ok' | 'down' | 'slow' | 'silent';

export interface ReceivedTicket {
  id: string;
  key: string;
  /** SHA-256 of the body that made it: the same key with another body is refused. */
  bodyDigest: string;
  body: Record<string, unknown>;
}

/** A request as it arrived, enough to send it again. */
export interface ReceivedRequest {
  method: string;
  path: string;
  key: string;
  signature: string;
  body: string;
  verdict: SignatureVerdict;
  /** The signature was valid. */
  signed: boolean;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  mode: ReceiverMode;
  /** How late a slow receiver answers. */
  slowMs: number;
  /** Added to the receiver's clock: a request replayed minutes after it was captured. */
  clockOffsetMs: number;
  tickets: ReceivedTicket[];
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Serve https with this certificate, on the same loopback address. */
  tls?: { key: string; cert: string };
}

const header = (req: http.IncomingMessage, name: string): string => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

export async function startWebhookReceiver(secret: string, options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const receiver = { mode: 'ok' as ReceiverMode, slowMs: 30_000, clockOffsetMs: 0, tickets: [] as ReceivedTicket[], requests: [] as ReceivedRequest[] };
  const answer = (res: http.ServerResponse, status: number, body: object): void => json(res, status, body);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const method = req.method ?? '';
      const path = req.url ?? '';
      const key = header(req, 'idempotency-key');
      const signature = header(req, SIGNATURE_HEADER);
      const verdict = verifySignature(secret, signature || undefined, { method, path, idempotencyKey: key, body: raw }, { now: Date.now() + receiver.clockOffsetMs });
      receiver.requests.push({ method, path, key, signature, body: raw.toString('utf8'), verdict, signed: verdict === 'valid' });
      if (receiver.mode === 'silent') return;
      if (receiver.mode === 'down') return answer(res, 503, { error: 'queue is down for maintenance' });
      if (verdict !== 'valid') return answer(res, 401, { error: 'bad signature' });
      const view = (t: ReceivedTicket): object => ({ id: t.id, url: `https://tickets.lab.example/${t.id}`, status: 'new' });
      const lookup = /^\/tickets\/([^/?]+)$/.exec(path);
      if (method === 'GET' && lookup) {
        const wanted = decodeURIComponent(lookup[1]!);
        if (wanted !== key) return answer(res, 400, { error: 'the key in the path is not the Idempotency-Key' });
        const found = receiver.tickets.find((t) => t.key === wanted);
        return found ? answer(res, 200, view(found)) : answer(res, 404, { error: 'no such ticket' });
      }
      if (method !== 'POST' || path !== '/tickets') return answer(res, 404, { error: 'not here' });
      if (!key) return answer(res, 400, { error: 'Idempotency-Key missing' });
      const bodyDigest = createHash('sha256').update(raw).digest('hex');
      let ticket = receiver.tickets.find((t) => t.key === key);
      if (ticket && ticket.bodyDigest !== bodyDigest) return answer(res, 422, { error: 'Idempotency-Key already used for another ticket' });
      if (!ticket) {
        ticket = { id: `INC${String(1000 + receiver.tickets.length + 1).padStart(7, '0')}`, key, bodyDigest, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> };
        receiver.tickets.push(ticket);
      }
      const created = ticket;
      if (receiver.mode === 'slow') return void setTimeout(() => answer(res, 201, view(created)), receiver.slowMs);
      answer(res, 201, view(created));
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : http.createServer(handle);
  const served = await serve(server, '127.0.0.1', 0);
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, { url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/tickets`, port, close: served.close });
}

/** Sends a captured request again (to a plain http receiver), as someone on the path would, with the given parts changed. */
export function sendAgain(
  receiver: Pick<WebhookReceiver, 'port'>,
  request: Pick<ReceivedRequest, 'method' | 'path' | 'key' | 'signature' | 'body'>,
): Promise<{ status: number; json: { id?: string; error?: string } }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'idempotency-key': request.key, [SIGNATURE_HEADER]: request.signature };
    const req = http.request({ host: '127.0.0.1', port: receiver.port, method: request.method, path: request.path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { id?: string; error?: string } }));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}
