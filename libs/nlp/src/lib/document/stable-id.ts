import { v3 } from 'murmurhash';

const SECOND_SEED = 0x9747b28c;
const utf8 = new TextEncoder();

/**
 * A short deterministic id: `prefix_` and 16 hex digits (two 32-bit MurmurHash3 values of the
 * key), the same on every machine and run, so re-processing a document yields the same ids.
 */
export function stableId(prefix: string, key: string): string {
  // Encoded once for both hashes (given a string, murmurhash makes a new TextEncoder each time).
  const bytes = utf8.encode(key);
  const high = v3(bytes, 0).toString(16).padStart(8, '0');
  const low = v3(bytes, SECOND_SEED).toString(16).padStart(8, '0');
  return `${prefix}_${high}${low}`;
}
