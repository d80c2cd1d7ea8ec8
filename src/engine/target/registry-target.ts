/**
 * Turns what a user typed into the registry to diagnose. Only ACR login servers
 * ever come out of here, so user text can never become an arbitrary host to dial.
 */
import type { RegistryRef } from '../report/types.js';

export const LOGIN_SERVER_SUFFIXES = ['azurecr.io', 'azurecr.cn', 'azurecr.us'] as const;
export const MAX_INPUT_LENGTH = 512;

/** ACR names: 5 to 50 letters and digits. */
const NAME = /^[a-z0-9]{5,50}$/i;
const RESOURCE_ID =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourcegroups\/([-\w.()]{1,90})\/providers\/microsoft\.containerregistry\/registries\/([a-z0-9]{5,50})$/i;

export class TargetError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string> = {},
  ) {
    super(key);
    this.name = 'TargetError';
  }
}

export interface RegistryTarget extends RegistryRef {
  suffix: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

/** Printable form of user input for error messages: short, no control characters. */
export function quoteInput(input: string): string {
  const shown = input.length > 60 ? `${input.slice(0, 57)}...` : input;
  return JSON.stringify(shown);
}

export function parseRegistryTarget(raw: string): RegistryTarget {
  if (raw.length > MAX_INPUT_LENGTH) throw new TargetError('target.tooLong', { max: String(MAX_INPUT_LENGTH) });
  const input = raw.trim();
  if (input === '') throw new TargetError('target.empty');
  if (/[\p{Cc}\p{Cf}\s]/u.test(input)) throw new TargetError('target.badCharacters', { input: quoteInput(input) });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) throw new TargetError('target.url', { input: quoteInput(input) });

  const id = RESOURCE_ID.exec(input);
  if (id) {
    const name = id[3]!.toLowerCase();
    return {
      name,
      loginServer: `${name}.azurecr.io`,
      suffix: 'azurecr.io',
      resourceId: input,
      subscriptionId: id[1]!.toLowerCase(),
      resourceGroup: id[2]!,
    };
  }
  if (input.startsWith('/')) throw new TargetError('target.badResourceId', { input: quoteInput(input) });

  const lower = input.toLowerCase();
  if (!lower.includes('.')) {
    if (NAME.test(lower)) return { name: lower, loginServer: `${lower}.azurecr.io`, suffix: 'azurecr.io' };
    throw new TargetError('target.badName', { input: quoteInput(input) });
  }

  const suffix = LOGIN_SERVER_SUFFIXES.find((s) => lower.endsWith(`.${s}`));
  if (!suffix) throw new TargetError('target.notAcr', { input: quoteInput(input) });
  const labels = lower.slice(0, -(suffix.length + 1)).split('.');
  if (labels.length === 1 && NAME.test(labels[0]!)) {
    return { name: labels[0]!, loginServer: lower, suffix };
  }
  if (labels.length === 3 && labels[2] === 'data') throw new TargetError('target.dataEndpoint', { input: quoteInput(input) });
  if (labels.length === 2 && labels[1] === 'privatelink') {
    throw new TargetError('target.privatelink', { input: quoteInput(input), loginServer: `${labels[0]}.${suffix}` });
  }
  throw new TargetError('target.badName', { input: quoteInput(input) });
}

/** A dedicated data endpoint of this registry: `<name>.<region>.data.<suffix>`. */
export function parseDataEndpoint(raw: string, registry: RegistryTarget): string {
  const host = raw.trim().toLowerCase();
  const prefix = `${registry.name}.`;
  const tail = `.data.${registry.suffix}`;
  const region = host.startsWith(prefix) && host.endsWith(tail) ? host.slice(prefix.length, -tail.length) : '';
  if (!/^[a-z0-9]{2,40}$/.test(region)) {
    throw new TargetError('target.badDataEndpoint', {
      input: quoteInput(raw),
      expected: `${registry.name}.<region>${tail}`,
    });
  }
  return host;
}
