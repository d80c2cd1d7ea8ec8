/** The troubleshooting knowledge (KNOWLEDGE.md) as typed data. Texts for it live in src/i18n. */
import knowledgeData from './knowledge.json' with { type: 'json' };
import type { Confidence } from '../report/types.js';

export interface RuleKnowledge {
  cause: string;
  confidence: Confidence;
  fixes: string[];
  /**
   * A rule that needs no code: it fires on the evidence with one of `outcomes` (an outcome ending in
   * `.` stands for every outcome it begins), unless some evidence has one of `unless`.
   */
  when?: { outcomes: string[]; unless?: string[] };
  /** Cases of the rule worded on their own (`findings.<rule>.<variant>.title`), as its predicate names them. */
  variants?: string[];
}

export interface FixTemplate {
  commands: string[];
  docs: string[];
  /** Facts under which this fix would contradict what ARM read (e.g. `{ "bypass": "AzureServices" }`). */
  notWhen?: Record<string, string>;
  /** A parameter holding a list (`a, b`): the commands are given once for each of its values. */
  each?: string;
}

/** Regular expressions (as strings) that recognise symptoms and client kinds in what users write. */
export interface UnderstandingPatterns {
  symptomPatterns: Record<string, string[]>;
  clientPatterns: Record<string, string[]>;
  /** A whole answer that declines a question ("skip", "don't know"), in each language we read. */
  skipPatterns: string[];
}

export interface Knowledge {
  symptoms: string[];
  /** Symptoms that mean the same to the rules: an Azure service pulling, the portal managing. */
  symptomGroups: Record<'service' | 'management', string[]>;
  causes: string[];
  rules: Record<string, RuleKnowledge>;
  fixes: Record<string, FixTemplate>;
  /** What a fix's command shows for a value the diagnosis did not learn: a `<placeholder>` the user fills in. */
  placeholders: Record<string, string>;
  /** Where the hosts file is, by the client's platform (its report's `platform`, e.g. `win32/x64`). */
  hostsFiles: { win32: string; other: string };
  understanding: UnderstandingPatterns;
}

export const knowledge = knowledgeData as Knowledge;

export function isSymptom(id: string): boolean {
  return knowledge.symptoms.includes(id);
}

/**
 * What a shell reads into a pasted value, by where the template puts it: bare (command separators,
 * substitutions, quotes, globs, redirections but a `<placeholder>` of ours, spaces, line breaks), in
 * single quotes (a quote, a line break), in double quotes (a quote, `$`, a backquote, a line break).
 * A value from outside (an uploaded report's evidence, what a server answered) with any of them
 * never goes into a command to paste.
 */
const SHELL_SYNTAX = {
  // PowerShell reads `(` after a word as an expression, `#` as a comment, and typographic quotes as quotes.
  bare: /[;|&$`'"\s!*?{}[\]()#\u2018-\u201f]|<(?![a-z][\w.-]*>)|(?<!<[a-z][\w.-]*)>/i,
  single: /['\r\n\u2018-\u201b]/,
  double: /["$`\\\r\n\u201c-\u201f]/,
} as const;

/** Whether `template` up to `index` is bare, or inside single or double quotes. */
function quoting(template: string, index: number): keyof typeof SHELL_SYNTAX {
  let state: keyof typeof SHELL_SYNTAX = 'bare';
  for (const char of template.slice(0, index)) {
    if (state === 'bare' && (char === "'" || char === '"')) state = char === "'" ? 'single' : 'double';
    else if ((state === 'single' && char === "'") || (state === 'double' && char === '"')) state = 'bare';
  }
  return state;
}

/**
 * A fix's command template with this finding's values in (a placeholder without a value stays, for
 * the rules to see). A value a shell would read more into where it stands is replaced by its placeholder.
 */
export function fillTemplate(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string, index: number) => {
    const value = params[name];
    if (value === undefined) return whole;
    return SHELL_SYNTAX[quoting(template, index)].test(value) ? (knowledge.placeholders[name] ?? `<${name}>`) : value;
  });
}

/** A fix's commands with this finding's values in: once, or once for each value of its `each` list. */
export function fixCommands(fix: FixTemplate, params: Record<string, string>): string[] {
  const values = fix.each ? (params[fix.each] ?? '').split(', ').filter(Boolean) : [];
  if (values.length === 0) return fix.commands.map((c) => fillTemplate(c, params));
  return values.flatMap((value) => fix.commands.map((c) => fillTemplate(c, { ...params, [fix.each!]: value })));
}
