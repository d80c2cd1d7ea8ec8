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

/** Texts a Teams client reads as markdown (and some HTML): a TextBlock's text, a fact's title and value. */
export function markdownTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownTexts);
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = n.type === 'TextBlock' ? [n.text] : n.type === 'FactSet' && Array.isArray(n.facts) ? (n.facts as Node[]).flatMap((f) => [f.title, f.value]) : [];
  return [...own.filter((v): v is string => typeof v === 'string'), ...Object.values(n).flatMap((v) => (typeof v === 'object' ? markdownTexts(v) : []))];
}

/** Texts shown exactly as they are: the TextRuns of RichTextBlocks. */
export function textRuns(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textRuns);
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const own = n.type === 'TextRun' && typeof n.text === 'string' ? [n.text] : [];
  return [...own, ...Object.values(n).flatMap((v) => (typeof v === 'object' ? textRuns(v) : []))];
}

/** What an outside value might hold to make a card say more than it should: a disguised link, markdown, HTML. */
export const HOSTILE = '[Re-authenticate](https://evil.example) **bold** <b>tag</b> # h';
export const HOSTILE_MARKS = ['](https://evil.example)', '**bold**', '<b>', '# h'];

/**
 * Fails when outside text reached a place Teams reads as markdown, or is not shown at all.
 * Checked mark by mark: in Arabic a value sits in a bidi isolate, which leaves each mark whole.
 */
export function assertShownAsText(card: unknown, where: string): void {
  const markdown = markdownTexts(card).filter((text) => HOSTILE_MARKS.some((mark) => text.includes(mark)));
  if (markdown.length > 0) throw new Error(`${where}: outside text where markdown is read: ${JSON.stringify(markdown)}`);
  const runs = textRuns(card).join('\n');
  const missing = HOSTILE_MARKS.filter((mark) => !runs.includes(mark));
  if (missing.length > 0) throw new Error(`${where}: outside text not shown in any TextRun: ${JSON.stringify(missing)}`);
}
