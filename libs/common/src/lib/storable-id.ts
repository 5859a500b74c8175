/**
 * Longest id, in UTF-8 bytes, that the stores key on: PostgreSQL's b-tree takes index entries of
 * up to 2,704 bytes, and a composite key holds two ids. A longer one fails the whole statement,
 * so every record written beside it.
 */
export const MAX_ID_BYTES = 1024;

/** `String.prototype.isWellFormed` (ES2024; Node 20 has it, the workspace's lib typings do not). */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Why a string cannot be a stored id, or null when it can: a lone UTF-16 surrogate (encoded to
 * UTF-8 it becomes U+FFFD, so two ids would be stored as one), or more than `maxBytes` bytes.
 */
export function idProblem(id: string, maxBytes = MAX_ID_BYTES): string | null {
  if (!isWellFormed(id)) return 'holds a lone UTF-16 surrogate (stored, it would become U+FFFD and could equal another id)';
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most ids need no count.
  if (id.length * 3 > maxBytes && Buffer.byteLength(id, 'utf8') > maxBytes) return `is longer than ${maxBytes} bytes in UTF-8`;
  return null;
}
