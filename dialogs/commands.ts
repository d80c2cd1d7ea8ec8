import { isTicketKey } from '../src/escalation/ticket.js';
import { isLang } from '../src/engine/i18n/i18n.js';
import { isAksCluster } from '../src/engine/target/aks-cluster.js';
import type { Lang } from '../src/engine/report/types.js';

/** What a message asks for: a command and the rest of the text, after Teams' @mention is gone. */
export type CommandName = 'acr-check' | 'diagnose' | 'escalate' | 'help' | 'cancel';

const COMMANDS: readonly CommandName[] = ['acr-check', 'diagnose', 'escalate', 'help', 'cancel'];

export interface Command {
  name?: CommandName;
  rest: string;
}

export function parseCommand(text: string): Command {
  const trimmed = text.trim().replace(/^\//, '');
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const name = COMMANDS.find((c) => c === first.toLowerCase());
  return name ? { name, rest: rest.join(' ') } : { rest: trimmed };
}

/** The language of the conversation, from the activity's locale (`ru-RU` → ru). */
export function langOfLocale(locale: string | undefined): Lang {
  const code = (locale ?? '').slice(0, 2).toLowerCase();
  return isLang(code) ? code : 'en';
}

/** The buttons our cards carry. */
export const CARD_VERBS = ['rerun', 'handover', 'escalate', 'escalation.confirm', 'escalation.cancel'] as const;
export type CardVerb = (typeof CARD_VERBS)[number];

/** What a card button sent (Action.Submit data), each field in the format our cards write it. */
export interface CardSubmit {
  verb?: CardVerb;
  registry?: string;
  diagnosis?: string;
  escalation?: string;
  /** The AKS cluster a re-run asks about again ('' on a card of a diagnosis without one). */
  aksCluster?: string;
  /** A field was there in a shape no card of ours writes: forged or from another version; one neutral answer. */
  invalid?: true;
}

const DIAGNOSIS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Names, login servers and resource ids alike are shorter (registry-target.ts refuses the rest with a reason). */
const MAX_REGISTRY = 512;

const FORMATS: Record<keyof Omit<CardSubmit, 'invalid'>, (value: string) => boolean> = {
  verb: (v) => (CARD_VERBS as readonly string[]).includes(v),
  registry: (v) => v.length <= MAX_REGISTRY,
  diagnosis: (v) => DIAGNOSIS_ID.test(v),
  escalation: isTicketKey,
  aksCluster: (v) => v === '' || isAksCluster(v),
};

export function parseCardSubmit(value: unknown): CardSubmit {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const fields = value as Record<string, unknown>;
  const submit: CardSubmit = {};
  for (const name of Object.keys(FORMATS) as (keyof typeof FORMATS)[]) {
    const field = fields[name];
    if (field === undefined) continue;
    if (typeof field === 'string' && FORMATS[name](field)) (submit as Record<string, string>)[name] = field;
    else submit.invalid = true;
  }
  return submit;
}
