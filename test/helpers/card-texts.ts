/** What a user reads on a card: every text, title and value, in order. */
type Node = Record<string, unknown>;

export function cardTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(cardTexts);
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = [n.text, n.title, n.value].filter((v): v is string => typeof v === 'string');
  return [...own, ...Object.values(n).flatMap((v) => (typeof v === 'object' ? cardTexts(v) : []))];
}

/** A RichTextBlock's TextRuns joined, as one line reads. */
export function richLines(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(richLines);
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = n.type === 'RichTextBlock' && Array.isArray(n.inlines) ? [(n.inlines as Node[]).map((r) => String(r.text ?? '')).join('')] : [];
  return [...own, ...Object.values(n).flatMap((v) => (typeof v === 'object' ? richLines(v) : []))];
}

/** Without the bidi isolates Arabic texts carry, for comparing words. */
export const plain = (text: string): string => text.replace(/[\u2066-\u2069]/g, '');

/** `{name}` left unfilled. */
export const PLACEHOLDER = /\{\w+\}/;
