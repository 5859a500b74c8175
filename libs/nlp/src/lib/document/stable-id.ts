import { v3 } from 'murmurhash';

const SECOND_SEED = 0x9747b28c;

/**
 * A short deterministic id: `prefix_` and 16 hex digits (two 32-bit MurmurHash3 values of the
 * key), the same on every machine and run, so re-processing a document yields the same ids.
 */
export function stableId(prefix: string, key: string): string {
  const high = v3(key, 0).toString(16).padStart(8, '0');
  const low = v3(key, SECOND_SEED).toString(16).padStart(8, '0');
  return `${prefix}_${high}${low}`;
}
