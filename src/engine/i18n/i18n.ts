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
  if (!isRtl(lang)) return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
  // In right-to-left text a host name, an address, a command or an error message would be broken
  // into pieces and reordered by the bidi algorithm; isolated, each keeps its own direction.
  return isolateLatin(template).replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : isolate(params[name])));
}

/** First strong isolate … pop directional isolate: the text keeps its own direction, whatever surrounds it. */
export const FSI = '\u2068';
export const LRI = '\u2066';
export const PDI = '\u2069';

/** A value in its own isolate, direction from its first strong letter (left to right when it has none, as an address). */
export function isolate(value: string): string {
  return value === '' ? value : `${FSI}${value}${PDI}`;
}

/** A value a front puts beside words of `lang` (an id, a command, a link, an address), isolated where the text runs right to left. */
export function ownDirection(lang: Lang, value: string): string {
  return isRtl(lang) ? isolate(value) : value;
}

/**
 * Latin runs written in a right-to-left template (`az login`, `--no-arm`, `'dial tcp ...: i/o timeout'`)
 * isolated left to right, so their punctuation stays where a shell or a search would read it.
 * A run is what lies between right-to-left letters; sentence punctuation and brackets at its ends
 * belong to the surrounding text; a run of placeholders only is isolated when it is filled.
 */
function isolateLatin(template: string): string {
  return template.replace(/[^\p{Script=Arabic}\n\u060C\u061B\u061F\u0640]+/gu, (run) => {
    const [, lead = '', found = '', rest = ''] = /^([\s.,;:!?([>]*)(.*?)([\s.,;:!?)\]<]*)$/su.exec(run) ?? [];
    if (!/[A-Za-z]/.test(found.replace(/\{\w+\}/g, ''))) return run;
    // A closing bracket whose opening one is inside the run (`[--code <code>]`) belongs to it.
    let core = found;
    let tail = rest;
    while (/^[)\]]/.test(tail) && unclosed(core, tail[0] === ')' ? '(' : '[', tail[0]!)) {
      core += tail[0];
      tail = tail.slice(1);
    }
    return `${lead}${LRI}${core}${PDI}${tail}`;
  });
}

function unclosed(text: string, open: string, close: string): boolean {
  return text.split(open).length > text.split(close).length;
}

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** The language from LC_ALL / LC_MESSAGES / LANG (`ru_RU.UTF-8` → ru); English otherwise. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
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
