/** The troubleshooting knowledge (KNOWLEDGE.md) as typed data. Texts for it live in src/i18n. */
import knowledgeData from './knowledge.json' with { type: 'json' };
import type { Confidence } from '../report/types.js';

export interface RuleKnowledge {
  cause: string;
  confidence: Confidence;
  fixes: string[];
}

export interface FixTemplate {
  commands: string[];
  docs: string[];
  /** Facts under which this fix would contradict what ARM read (e.g. `{ "bypass": "AzureServices" }`). */
  notWhen?: Record<string, string>;
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
  causes: string[];
  rules: Record<string, RuleKnowledge>;
  fixes: Record<string, FixTemplate>;
  understanding: UnderstandingPatterns;
}

export const knowledge = knowledgeData as Knowledge;

export function isSymptom(id: string): boolean {
  return knowledge.symptoms.includes(id);
}

/** A fix's command template with this finding's values in (a placeholder without a value stays, for the rules to see). */
export function fillTemplate(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
