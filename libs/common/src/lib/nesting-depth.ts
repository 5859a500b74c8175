/**
 * The path (`meta.0.0`) of an array or object of `value` that lies more than `limit` levels deep
 * (`value` itself is level 1), or null when there is none. Iterative, so a value of any depth is measured without exhausting the stack:
 * such a value cannot be copied between threads or written as JSON (both recurse), and one
 * document holding it must be refused by name instead of failing or hanging what carries it.
 */
export function pathDeeperThan(value: unknown, limit: number): string | null {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length) {
    const { value: current, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return path;
    for (const [key, child] of Object.entries(current)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1, path: path ? `${path}.${key}` : key });
    }
  }
  return null;
}
