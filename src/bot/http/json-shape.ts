/**
 * Bounds on the shape of JSON that came from outside, checked before anything walks it recursively
 * (a schema validator, a renderer): 17 KB of `[[[[…` is 5,000 levels, enough to overflow a stack.
 * Walked with an explicit stack, so checking costs no recursion itself.
 */
export interface ShapeLimits {
  maxDepth: number;
  maxNodes: number;
  maxStringLength: number;
}

export const UPLOAD_SHAPE: ShapeLimits = { maxDepth: 16, maxNodes: 50_000, maxStringLength: 16_384 };

/** Undefined when `value` fits; otherwise what does not, for a 400's reason. */
export function shapeProblem(value: unknown, limits: ShapeLimits = UPLOAD_SHAPE): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > limits.maxNodes) return `more than ${limits.maxNodes} values`;
    if (typeof node === 'string' && node.length > limits.maxStringLength) return `a string longer than ${limits.maxStringLength} characters`;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    for (const child of Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return undefined;
}
