/**
 * Whose rights the bot reads Azure with, and how far (ARM_ACCESS, ARM_SCOPES). In `bot` mode the
 * bot's own identity reads, limited to the subscriptions and resource groups an administrator's
 * scope map gives the asker's tenant, team or channel: no map entry, no ARM facts. `none`: probes
 * only. A local, unauthenticated bot serves its developer alone and reads with their identity.
 */
import { normalizeScope } from '../arm/scoped-api.js';

export const ARM_MODES = ['user', 'bot', 'none'] as const;
export type ArmMode = (typeof ARM_MODES)[number];

/** Who a scope rule is for: every selector given must match. */
export interface ScopeRule {
  tenant?: string;
  team?: string;
  channel?: string;
  scopes: string[];
}

export interface ArmPolicy {
  mode: ArmMode;
  /** Empty in bot mode: no one reads ARM. `unrestricted`: the local bot, or ARM_SCOPES=* (logged). */
  rules: ScopeRule[];
  unrestricted: boolean;
}

/** The person asking, as the activity says: their Entra object id and tenant, and where they ask. */
export interface Asker {
  objectId?: string;
  tenantId?: string;
  teamId?: string;
  channelId?: string;
  conversationId?: string;
}

/** Read (as the asker, with their own rights, or with the bot's identity within scopes), or why not. */
export type ArmDecision = { read: true; asUser?: true; scopes?: string[] } | { read: false; reason: 'skip.arm-mode-none' | 'skip.arm-no-scope' };

function parseRules(text: string): ScopeRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('ARM_SCOPES must be JSON: [{"tenant": "<tenant id>", "team": "<team id>", "channel": "<channel id>", "scopes": ["/subscriptions/<id>/resourceGroups/<name>"]}], or * for everything the bot may read');
  }
  if (!Array.isArray(parsed)) throw new Error('ARM_SCOPES must be a JSON list of rules');
  return parsed.map((rule: unknown, i) => {
    const r = (rule ?? {}) as Record<string, unknown>;
    const selector = (name: 'tenant' | 'team' | 'channel'): string | undefined => {
      if (r[name] === undefined) return undefined;
      if (typeof r[name] !== 'string' || !r[name]) throw new Error(`ARM_SCOPES[${i}].${name} must be a non-empty string`);
      return r[name] as string;
    };
    if (!Array.isArray(r.scopes) || r.scopes.length === 0) throw new Error(`ARM_SCOPES[${i}].scopes must list subscriptions or resource groups`);
    const scopes = r.scopes.map((s: unknown) => {
      const scope = typeof s === 'string' ? normalizeScope(s) : undefined;
      if (!scope) throw new Error(`ARM_SCOPES[${i}].scopes: ${JSON.stringify(s)} is not /subscriptions/<id> or /subscriptions/<id>/resourceGroups/<name>`);
      return scope;
    });
    const tenant = selector('tenant');
    const team = selector('team');
    const channel = selector('channel');
    if (!tenant && !team && !channel) throw new Error(`ARM_SCOPES[${i}] names no tenant, team or channel: a rule for everyone is ARM_SCOPES=*`);
    return { ...(tenant ? { tenant } : {}), ...(team ? { team } : {}), ...(channel ? { channel } : {}), scopes };
  });
}

/** `sso`: single sign-on is configured (SSO_CONNECTION_NAME, SSO_APP_ID); then `user` is the default. */
export function readArmPolicy(env: NodeJS.ProcessEnv, authenticated: boolean, sso = false): ArmPolicy {
  const given = (env.ARM_ACCESS ?? '').trim().toLowerCase();
  if (given && !(ARM_MODES as readonly string[]).includes(given)) throw new Error(`ARM_ACCESS must be one of ${ARM_MODES.join(', ')}, not ${JSON.stringify(env.ARM_ACCESS)}`);
  const mode = (given || (sso ? 'user' : 'bot')) as ArmMode;
  if (mode === 'user') {
    if (!sso) throw new Error('ARM_ACCESS=user reads Azure with the asker\'s own rights through Teams single sign-on: it needs SSO_CONNECTION_NAME and SSO_APP_ID (docs/deploy.md)');
    return { mode, rules: [], unrestricted: false };
  }
  const scopes = (env.ARM_SCOPES ?? '').trim();
  if (mode === 'none') return { mode, rules: [], unrestricted: false };
  if (scopes === '*') return { mode, rules: [], unrestricted: true };
  // The local bot answers its developer only (loopback, unauthenticated): their identity, their rights.
  if (!scopes) return { mode, rules: [], unrestricted: !authenticated };
  return { mode, rules: parseRules(scopes), unrestricted: false };
}

export function armDecision(policy: ArmPolicy, asker: Asker): ArmDecision {
  if (policy.mode === 'none') return { read: false, reason: 'skip.arm-mode-none' };
  // Azure RBAC decides what each user sees: nothing to limit here.
  if (policy.mode === 'user') return { read: true, asUser: true };
  if (policy.unrestricted) return { read: true };
  const matches = (rule: ScopeRule): boolean =>
    (!rule.tenant || rule.tenant === asker.tenantId) && (!rule.team || rule.team === asker.teamId) && (!rule.channel || rule.channel === asker.channelId);
  const scopes = [...new Set(policy.rules.filter(matches).flatMap((r) => r.scopes))];
  return scopes.length > 0 ? { read: true, scopes } : { read: false, reason: 'skip.arm-no-scope' };
}
