/**
 * `--send <bot> --code <code>`: hands the report to the bot (POST /api/reports), through the same
 * proxy the probes used, and says what was sent and what the bot answered.
 */
import { REFUSALS, type IntakeAnswer, type Refusal } from '../handover/protocol.js';
import { t } from '../engine/i18n/i18n.js';
import { timeoutSignal } from '../engine/net/deadlines.js';
import { makeDispatcher } from '../engine/net/dispatcher.js';
import { selectProxy } from '../engine/net/proxy-env.js';
import { request } from '../engine/net/undici-lean.js';
import type { Lang, Report } from '../engine/report/types.js';
import { TOOL } from '../engine/version.js';

/** Long enough for the bot to post its card: the connector SDK retries a busy connector for ~15 s before the bot gives up. */
const SEND_TIMEOUT_MS = 45_000;

export async function sendReport(report: Report, send: { url: string; code: string }, lang: Lang): Promise<{ ok: boolean; line: string }> {
  const body = JSON.stringify({ code: send.code, report });
  const dispatcher = makeDispatcher(selectProxy(new URL(send.url).hostname), SEND_TIMEOUT_MS);
  let status: number;
  let answer: Partial<IntakeAnswer['body']>;
  try {
    const res = await request(send.url, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `${TOOL.name}/${TOOL.version}` },
      body,
      signal: timeoutSignal(SEND_TIMEOUT_MS),
    });
    status = res.statusCode;
    try {
      answer = (await res.body.json()) as Partial<IntakeAnswer['body']>;
    } catch {
      answer = {};
    }
  } catch (err) {
    return { ok: false, line: t(lang, 'cli.send.failed', { url: send.url, message: err instanceof Error ? err.message : String(err) }) };
  } finally {
    void dispatcher.close();
  }
  if (status === 200) {
    return { ok: true, line: t(lang, 'cli.send.sent', { size: `${(Buffer.byteLength(body) / 1024).toFixed(1)} KB`, id: report.id, url: send.url }) };
  }
  const refusal: Refusal | 'other' = (REFUSALS as readonly string[]).includes(answer.error ?? '') ? (answer.error as Refusal) : status === 413 ? 'too-large' : status === 429 ? 'too-many' : 'other';
  const message = typeof answer.message === 'string' ? answer.message.slice(0, 300) : `HTTP ${status}`;
  return { ok: false, line: t(lang, 'cli.send.refused', { status: String(status), message: t(lang, `cli.send.errors.${refusal}`, { message }) }) };
}
