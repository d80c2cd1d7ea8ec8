/**
 * `POST /api/reports`: a report from `acr-check --send`. The one-time code says which conversation
 * and diagnosis it belongs to; the report is checked against its schema before the code is used up
 * (a malformed upload does not burn the code); then the client's view goes into the conversation,
 * beside the bot's own, and is kept there for escalation.
 */
import { randomUUID } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';
import type { Logger } from 'pino';
import type { IntakeAnswer } from '../handover/protocol.js';
import { shapeProblem } from './http/json-shape.js';
import { withoutBidiControlsDeep } from '../engine/report/outside-text.js';
import { decidedClientReport } from '../engine/report/vantages.js';
import { clientCardFor, clientViewFor } from './own-view.js';
import type { Report } from '../engine/report/types.js';
import { parseRegistryTarget, TargetError } from '../engine/target/registry-target.js';
import type { Card } from '../../cards/cards.js';
import type { DiagnosisLog } from './diagnosis-log.js';
import type { HandoverCodes } from './handover-codes.js';
import { errorLine } from '../engine/net/error-line.js';

export interface IntakeDeps {
  codes: HandoverCodes;
  log: DiagnosisLog;
  /** Posts a card into a conversation, outside any turn. */
  post: (conversation: Partial<ConversationReference>, card: Card) => Promise<void>;
  logger: Logger;
}

const refuse = (status: number, error: NonNullable<IntakeAnswer['body']['error']>, message: string): IntakeAnswer => ({ status, body: { error, message } });

const CODE_REFUSALS = {
  unknown: refuse(401, 'unknown-code', 'unknown code'),
  expired: refuse(410, 'expired-code', 'this code has expired'),
  used: refuse(410, 'used-code', 'this code was used already'),
} as const;

export async function receiveReport(body: unknown, deps: IntakeDeps): Promise<IntakeAnswer> {
  const upload = (body && typeof body === 'object' ? body : {}) as { code?: unknown; report?: unknown };
  if (typeof upload.code !== 'string') return CODE_REFUSALS.unknown;
  // Before the code is even looked at, and before the schema validator walks it.
  const shape = shapeProblem(upload.report);
  if (shape) return refuse(400, 'invalid-report', `report: ${shape}`);
  const checked = await deps.codes.check(upload.code);
  if (!checked.ok) return CODE_REFUSALS[checked.reason];
  // The schema validator (ajv) is loaded with the first upload, not with every bot.
  const { reportProblems } = await import('../engine/report/validate.js');
  const problems = reportProblems(upload.report);
  if (problems) return refuse(400, 'invalid-report', problems);
  // What the upload says is shown as text; its bidirectional controls could reorder what a reader sees.
  const report = withoutBidiControlsDeep(upload.report as Report);
  try {
    if (parseRegistryTarget(report.registry.loginServer).loginServer !== checked.handover.loginServer) {
      return refuse(400, 'wrong-registry', `the code is for ${checked.handover.loginServer}, the report for ${report.registry.loginServer}`);
    }
    // The resource ids it names (the registry's, its facts') are of that very registry: the rules fill them into commands.
    for (const id of [report.registry.resourceId, report.facts.resourceId]) {
      if (id !== undefined && parseRegistryTarget(id).name !== report.registry.name) return refuse(400, 'wrong-registry', `the report is for ${report.registry.loginServer}, its resource id names another registry`);
    }
  } catch (err) {
    if (err instanceof TargetError) return refuse(400, 'invalid-report', `registry.loginServer: ${err.key}`);
    throw err;
  }
  // Everything that could fail on the report's content happens before the code is used up.
  const { handover } = checked;
  const conversationId = handover.conversation.conversation?.id ?? '';
  const bot = await deps.log.find(conversationId, { diagnosisId: handover.diagnosisId, vantage: 'bot' });
  // Compared with the bot's diagnosis as the conversation may see it: in a channel, what Azure showed
  // one person stays in their own view of the card.
  const { conversation } = handover.conversation;
  const uploaded = { ...report, lang: handover.lang };
  const view = clientViewFor(uploaded, bot, conversation, 'post');
  const kept = decidedClientReport(uploaded, view, handover.lang, randomUUID());
  const card = clientCardFor(kept, bot, conversation, 'post');

  const redeemed = await deps.codes.redeem(upload.code);
  if (!redeemed.ok) return CODE_REFUSALS[redeemed.reason];
  try {
    await deps.log.add(conversationId, { report: kept, vantage: 'client' });
    await deps.post(handover.conversation, card);
  } catch (err) {
    // The card is not in the conversation: the code is given back, so the same command works again.
    await deps.codes.release(upload.code, redeemed.usedAt).catch((release: unknown) => deps.logger.error({ error: errorLine(release) }, 'could not give the code back'));
    deps.logger.error({ conversation: conversationId, error: errorLine(err) }, 'client report not posted; code given back');
    return refuse(503, 'not-posted', 'could not post the report into the conversation; the code is still good, try again in a minute');
  }
  deps.logger.info({ conversation: conversationId, registry: kept.registry.loginServer, diagnosis: kept.id, differences: view.differences.length }, 'client report posted');
  return { status: 200, body: { status: 'posted', message: 'posted in the conversation' } };
}
