/**
 * Azure role-based access control as the lab's ARM applies it to people: a delegated token (scp
 * user_impersonation) is authorised by its `oid` against role assignments (role at a scope, the
 * built-in roles' actions), and refused with ARM's own error bodies: 401 ExpiredAuthenticationToken
 * or InvalidAuthenticationTokenAudience, 403 AuthorizationFailed naming the client, the action and
 * the scope. Service principals' tokens are not checked here (the lab's registries are theirs).
 */
import { claimsOf } from './lab-tenant.js';

export type BuiltInRole = 'Reader' | 'Contributor' | 'Owner' | 'Support Request Contributor';

export interface RoleAssignment {
  /** A subscription, resource group or resource id. */
  scope: string;
  role: BuiltInRole;
}

/** Role assignments by user object id. */
export type UserRoleAssignments = Record<string, RoleAssignment[]>;

/** The built-in roles' actions (Actions only; their NotActions touch nothing the lab serves). */
const ROLE_ACTIONS: Record<BuiltInRole, string[]> = {
  Reader: ['*/read'],
  Contributor: ['*'],
  Owner: ['*'],
  'Support Request Contributor': ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
};

/** The audiences ARM accepts, as its 401 lists them (with the lab's ARM host). */
const ARM_AUDIENCES = ['https://management.core.windows.net/', 'https://management.core.windows.net', 'https://management.azure.com/', 'https://management.azure.com'];

export interface ArmUser {
  oid: string;
  /** How ARM names the client in its errors: the UPN of a person. */
  name: string;
}

export type Caller = { kind: 'app' } | { kind: 'user'; user: ArmUser } | { kind: 'refused'; status: 401; error: { code: string; message: string } };

/** ARM's way of writing a time in its 401s: 5/1/2026 10:00:00 AM. */
function armTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString('en-US', { timeZone: 'UTC', hour12: true }).replace(',', '');
}

/** Who the bearer token is: a person (delegated), an app, or refused before any authorisation. */
export function callerOf(authorization: string, armHost: string): Caller {
  const claims = claimsOf(authorization.replace(/^Bearer\s+/i, ''));
  if (typeof claims.scp !== 'string') return { kind: 'app' };
  const audiences = [...ARM_AUDIENCES, `https://${armHost}`, `https://${armHost}/`];
  if (!audiences.includes(String(claims.aud))) {
    return { kind: 'refused', status: 401, error: { code: 'InvalidAuthenticationTokenAudience', message: `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences ${audiences.map((a) => `'${a}'`).join(',')}.` } };
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    return { kind: 'refused', status: 401, error: { code: 'ExpiredAuthenticationToken', message: `The access token expiry UTC time '${armTime(Number(claims.exp ?? 0))}' is earlier than current UTC time '${armTime(now)}'.` } };
  }
  const oid = String(claims.oid ?? '');
  return { kind: 'user', user: { oid, name: String(claims.upn ?? claims.unique_name ?? oid) } };
}

/** Whether resource `id` lies at or under `scope` (ids compare case-insensitively, as ARM compares them). */
export const under = (id: string, scope: string): boolean => {
  const a = id.toLowerCase();
  const s = scope.toLowerCase().replace(/\/+$/, '');
  return a === s || a.startsWith(`${s}/`);
};

const globMatches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i').test(action);

export class ArmRbac {
  constructor(private readonly assignments: UserRoleAssignments) {}

  /** Whether `user` may perform `action` on the resource (or scope) `id`. */
  allows(user: ArmUser, action: string, id: string): boolean {
    return (this.assignments[user.oid] ?? []).some((a) => under(id, a.scope) && ROLE_ACTIONS[a.role].some((p) => globMatches(p, action)));
  }

  /** The subscriptions where `user` holds any role (at it or anywhere under it). */
  subscriptionsOf(user: ArmUser): string[] {
    const ids = (this.assignments[user.oid] ?? []).map((a) => /^\/subscriptions\/([^/]+)/i.exec(a.scope)?.[1]?.toLowerCase()).filter((s): s is string => s !== undefined);
    return [...new Set(ids)];
  }

  /** ARM's 403 for a person, as Azure writes it. */
  static forbidden(user: ArmUser, action: string, scope: string): { code: string; message: string } {
    return {
      code: 'AuthorizationFailed',
      message: `The client '${user.name}' with object id '${user.oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    };
  }
}

/**
 * The action a request performs, from ARM's resource id grammar: provider namespace, then the
 * resource types with the names between them dropped; GET reads, PUT/PATCH write, DELETE deletes,
 * POST's last segment is an action.
 */
export function actionOf(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  const at = segments.findIndex((s) => s.toLowerCase() === 'providers');
  if (at < 0) {
    if (segments.length <= 2) return 'Microsoft.Resources/subscriptions/read';
    return 'Microsoft.Resources/subscriptions/resourceGroups/read';
  }
  const namespace = segments[at + 1] ?? '';
  const rest = segments.slice(at + 2);
  const verb = method.toUpperCase();
  const action = verb === 'POST' ? rest.pop() : undefined;
  // Types sit at even positions after the namespace: type, name, type, name...
  const types = rest.filter((_, i) => i % 2 === 0);
  const base = [namespace, ...types].join('/');
  if (action !== undefined) return `${base}/${action}/action`;
  if (verb === 'PUT' || verb === 'PATCH') return `${base}/write`;
  if (verb === 'DELETE') return `${base}/delete`;
  return types.length === 0 ? 'Microsoft.Resources/subscriptions/providers/read' : `${base}/read`;
}
