/** What rules look at: the evidence, the facts, what the user told us. Pure data, no I/O. */
import type { Evidence } from '../probes/evidence.js';
import type { ClientContext, Facts, JsonObject } from '../report/types.js';
import type { RegistryTarget } from '../target/registry-target.js';

export interface RuleInput {
  registry: RegistryTarget;
  symptoms: string[];
  client: ClientContext;
  evidence: Evidence[];
  facts: Facts;
}

export class RuleContext {
  constructor(readonly input: RuleInput) {}

  get registry(): RegistryTarget {
    return this.input.registry;
  }

  ofKind(kind: string): Evidence[] {
    return this.input.evidence.filter((e) => e.kind === kind);
  }

  /** Evidence whose outcome is one of `outcomes` (exact) or starts with one ending in `.`. */
  withOutcome(...outcomes: string[]): Evidence[] {
    return this.input.evidence.filter((e) => outcomes.some((o) => (o.endsWith('.') ? e.outcome.startsWith(o) : e.outcome === o)));
  }

  first(...outcomes: string[]): Evidence | undefined {
    return this.withOutcome(...outcomes)[0];
  }

  hasSymptom(...ids: string[]): boolean {
    return ids.some((id) => this.input.symptoms.includes(id));
  }

  anyFailed(): boolean {
    return this.input.evidence.some((e) => e.status === 'fail');
  }

  /** The registry answered over HTTPS from here (ACR itself spoke, whatever it said). */
  registryAnswered(): boolean {
    return this.withOutcome('v2.challenge', 'v2.anonymous', 'v2.denied', 'v2.throttled').length > 0;
  }
}

export function text(data: JsonObject, key: string): string {
  const value = data[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * The proxy as a command takes it: shown without credentials, and where credentials are needed,
 * `<user>:<password>` for the user to replace; never `REDACTED`, which would be pasted as is.
 */
export function proxyParams(display: string): { proxy: string; proxyWithCredentials: string } {
  const url = new URL(display);
  url.username = '';
  url.password = '';
  const bare = url.href.replace(/\/$/, '');
  return { proxy: bare, proxyWithCredentials: bare.replace('://', '://<user>:<password>@') };
}

/** The record name of `fqdn` inside `privatelink.<suffix>`: `myreg` or `myreg.westeurope.data`. */
export function recordName(fqdn: string, suffix: string): string {
  return fqdn.toLowerCase().endsWith(`.${suffix}`) ? fqdn.slice(0, -(suffix.length + 1)) : fqdn;
}
