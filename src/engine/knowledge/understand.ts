/**
 * What a message says: the registry it names, the symptoms it describes or pastes, where the
 * client runs. The patterns are data (knowledge.json `understanding`); this only applies them.
 */
import { CLIENT_KINDS, type ClientKind } from '../report/types.js';
import { parseRegistryTarget, TargetError, type RegistryTarget } from '../target/registry-target.js';
import { knowledge } from './knowledge.js';
import { AKS_ID_IN_TEXT, isAksCluster } from '../target/aks-cluster.js';

const patterns = knowledge.understanding;
const compiled = (table: Record<string, string[]>): [string, RegExp[]][] =>
  Object.entries(table).map(([id, list]) => [id, list.map((p) => new RegExp(p, 'iu'))]);
const SYMPTOMS = compiled(patterns.symptomPatterns);
const CLIENTS = compiled(patterns.clientPatterns);
const SKIPS = patterns.skipPatterns.map((p) => new RegExp(p, 'iu'));

export interface Understanding {
  registry?: RegistryTarget;
  /** A word that looked like a registry but is not one, with the reason. */
  rejected?: TargetError;
  symptoms: string[];
  client?: ClientKind;
  /** An AKS cluster named in the text (its resource id, or after --aks-cluster): the client is AKS. */
  aksCluster?: string;
}

const LOGIN_SERVER = /\b([a-z0-9]{5,50})\.azurecr\.(io|cn|us)\b/i;
/** Words after which a registry name usually comes, in the three languages we read. */
const KEYWORDS = ['from', 'to', 'registry', 'acr', 'из', 'в', 'реестр', 'реестра', 'реестре', 'من', 'إلى', 'السجل'];
/** Words that follow "to"/"from" in pasted errors and are never meant as a registry ("Refer … to grant access"). */
const NOT_NAMES = new Set(['grant', 'allow', 'access', 'refresh', 'login', 'connect', 'reach', 'resolve', 'fetch', 'push', 'pull', 'the', 'this', 'that', 'your']);
// A lookahead, so that "to registry myreg" tries both "registry" and "myreg"; \b knows no Cyrillic.
const BEFORE_NAME = new RegExp(`(?<![\\p{L}\\p{N}])(?:${KEYWORDS.join('|')})\\s+(?=([^\\s,.;:!?"'«»]+))`, 'giu');

function findRegistry(text: string): { registry?: RegistryTarget; rejected?: TargetError } {
  const server = LOGIN_SERVER.exec(text);
  if (server) return { registry: parseRegistryTarget(server[0]) };
  let rejected: TargetError | undefined;
  for (const match of text.matchAll(BEFORE_NAME)) {
    if (KEYWORDS.includes(match[1]!.toLowerCase()) || NOT_NAMES.has(match[1]!.toLowerCase())) continue;
    try {
      return { registry: parseRegistryTarget(match[1]!) };
    } catch (err) {
      if (err instanceof TargetError) rejected ??= err;
    }
  }
  return rejected ? { rejected } : {};
}

/** `--aks-cluster <cluster>`, or a cluster's resource id anywhere. */
function findCluster(text: string): string | undefined {
  const flag = /--aks-cluster[\s=]+(\S+)/i.exec(text)?.[1];
  if (flag && isAksCluster(flag)) return flag;
  return AKS_ID_IN_TEXT.exec(text)?.[0];
}

/** The answer declines the question ("skip", "don't know", "не знаю", "لا أعرف"). */
export function declines(text: string): boolean {
  const bounded = text.slice(0, 200);
  return SKIPS.some((r) => r.test(bounded));
}

export function understand(text: string): Understanding {
  const bounded = text.slice(0, 4000);
  const symptoms = SYMPTOMS.filter(([, regexes]) => regexes.some((r) => r.test(bounded))).map(([id]) => id);
  const client = CLIENTS.find(([, regexes]) => regexes.some((r) => r.test(bounded)))?.[0];
  const aksCluster = findCluster(bounded);
  return {
    // The cluster's id is not read for a registry's name.
    ...findRegistry(aksCluster ? bounded.replace(aksCluster, ' ') : bounded),
    symptoms: knowledge.symptoms.filter((s) => symptoms.includes(s)),
    ...(aksCluster ? { client: 'aks' as ClientKind, aksCluster } : client && (CLIENT_KINDS as readonly string[]).includes(client) ? { client: client as ClientKind } : {}),
  };
}

/** A diagnosis ready to run: the registry parsed, the symptoms settled. */
export type DiagnosisToRun = Omit<DiagnosisAsked, 'registry' | 'symptoms'> & { target: RegistryTarget; symptoms: string[] };

/** A diagnosis as someone asked for it, before it runs: the registry they named, what they see, where the client runs. */
export interface DiagnosisAsked {
  registry?: string;
  symptoms?: string[];
  client?: ClientKind;
  /** The AKS cluster the client runs in: a resource id, or `resourceGroup/name`. */
  aksCluster?: string;
}
