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
}

/** Regular expressions (as strings) that recognise symptoms and client kinds in what users write. */
export interface UnderstandingPatterns {
  symptomPatterns: Record<string, string[]>;
  clientPatterns: Record<string, string[]>;
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
