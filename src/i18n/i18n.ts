/** Every user-facing text, in en, ru and ar, from the JSON beside this file. */
import en from './en.json' with { type: 'json' };
import ru from './ru.json' with { type: 'json' };
import ar from './ar.json' with { type: 'json' };
import { LANGS, type Lang } from '../report/types.js';

type Tree = { [key: string]: string | Tree };
const CATALOGS: Record<Lang, Tree> = { en, ru, ar };

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part] ?? undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * Keys are paths such as `findings.throttled.title`. Leaf keys may themselves hold dots
 * (`outcomes.dns.system.ok`), so the section is looked up first, then the rest as one key.
 */
export function has(lang: Lang, key: string): boolean {
  return resolve(CATALOGS[lang], key) !== undefined;
}

function resolve(tree: Tree, key: string): string | undefined {
  const direct = lookup(tree, key);
  if (direct !== undefined) return direct;
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const section = tree[key.slice(0, dot)];
  if (section === undefined || typeof section === 'string') return undefined;
  const leaf = section[key.slice(dot + 1)];
  return typeof leaf === 'string' ? leaf : undefined;
}

/** The text for `key` in `lang` (English when a translation is missing), `{name}` filled from params. */
export function t(lang: Lang, key: string, params: Record<string, string> = {}): string {
  const template = resolve(CATALOGS[lang], key) ?? resolve(CATALOGS.en, key) ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** The language from LC_ALL / LC_MESSAGES / LANG (`ru_RU.UTF-8` → ru); English otherwise. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const code = env[name]?.slice(0, 2).toLowerCase();
    if (code && isLang(code)) return code;
    if (env[name]) break;
  }
  return 'en';
}

export function isRtl(lang: Lang): boolean {
  return lang === 'ar';
}

export function catalog(lang: Lang): Tree {
  return CATALOGS[lang];
}
