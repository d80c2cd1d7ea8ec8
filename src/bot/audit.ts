/**
 * The audit trail: who read which registry's configuration in Azure, with which rights, and what
 * came back; who escalated what. One structured log line each (`audit` names the kind), never a
 * token: who is the Entra object id and tenant the activity carries.
 */
import type { Activity } from 'botbuilder';
import type { ArmMode, Asker } from '../engine/azure/arm-policy.js';
import { parseResourceId } from '../engine/arm/resource-id.js';
import type { Escalation } from '../escalation/escalations.js';
import type { Report } from '../engine/report/types.js';

export function askerOf(activity: Partial<Activity>): Asker {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: unknown }; team?: { id?: unknown }; channel?: { id?: unknown } };
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
  const tenantId = text(activity.conversation?.tenantId) ?? text(channelData.tenant?.id);
  const fields = { objectId: text(activity.from?.aadObjectId), tenantId, teamId: text(channelData.team?.id), channelId: text(channelData.channel?.id), conversationId: text(activity.conversation?.id) };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Asker;
}

export type ArmReadResult = 'read' | 'forbidden' | 'not-found' | 'out-of-scope' | 'not-read' | 'failed';

function resultOf(status: string, outcome: string): ArmReadResult {
  if (outcome === 'arm.out-of-scope') return 'out-of-scope';
  if (outcome === 'arm.forbidden' || outcome === 'arm.unauthorized') return 'forbidden';
  if (outcome === 'arm.not-found' || outcome === 'arm.registry.not-found') return 'not-found';
  if (status === 'skip') return 'not-read';
  return status === 'pass' ? 'read' : 'failed';
}

export interface ArmAuditLine {
  audit: 'arm-read';
  who: { objectId?: string; tenantId?: string };
  conversation?: string;
  mode: ArmMode;
  registry: string;
  subscription?: string;
  check: string;
  result: ArmReadResult;
}

/** One line per ARM read of a diagnosis (the registry, its replicas, endpoints, zones, providers, logs). */
export function armAuditLines(report: Report, asker: Asker, mode: ArmMode): ArmAuditLine[] {
  const subscription = parseResourceId(report.facts.resourceId ?? report.registry.resourceId ?? '')?.subscriptionId;
  return report.checks
    .filter((c) => c.id.startsWith('arm.'))
    .map((c) => ({
      audit: 'arm-read',
      who: { ...(asker.objectId ? { objectId: asker.objectId } : {}), ...(asker.tenantId ? { tenantId: asker.tenantId } : {}) },
      ...(asker.conversationId ? { conversation: asker.conversationId } : {}),
      mode,
      registry: report.registry.loginServer,
      ...(subscription ? { subscription } : {}),
      check: c.id,
      result: resultOf(c.status, c.outcome),
    }));
}

/** One line per escalation submitted: who, which registry and subscription, which sink, what became of it. */
export function ticketAuditLine(asker: Asker, escalation: Pick<Escalation, 'key' | 'sink' | 'state' | 'request' | 'ticket'>): Record<string, unknown> {
  const { request } = escalation;
  return {
    audit: 'ticket',
    who: { ...(asker.objectId ? { objectId: asker.objectId } : {}), ...(asker.tenantId ? { tenantId: asker.tenantId } : {}) },
    ...(asker.conversationId ? { conversation: asker.conversationId } : {}),
    registry: request.report.registry.loginServer,
    ...(request.subscriptionId ? { subscription: request.subscriptionId } : {}),
    vantage: request.vantage,
    sink: escalation.sink,
    key: escalation.key,
    state: escalation.state,
    ...(escalation.ticket ? { ticket: escalation.ticket.id } : {}),
  };
}
