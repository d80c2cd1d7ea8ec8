import { isLang } from '../i18n/i18n.js';
import type { Lang } from '../report/types.js';

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

/** What a card button sent (Action.Submit data): only its string fields, since a client may send anything. */
export interface CardSubmit {
  verb?: string;
  registry?: string;
  diagnosis?: string;
  escalation?: string;
}

export function parseCardSubmit(value: unknown): CardSubmit {
  if (!value || typeof value !== 'object') return {};
  const fields = value as Record<string, unknown>;
  const submit: CardSubmit = {};
  for (const name of ['verb', 'registry', 'diagnosis', 'escalation'] as const) {
    const field = fields[name];
    if (typeof field === 'string') submit[name] = field;
  }
  return submit;
}
