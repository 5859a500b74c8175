import type { EdgeKind, NodeKind } from './graph.types';

const PREFIX: Record<NodeKind, string> = { document: 'doc', event: 'evt', entity: 'ent', storyline: 'sto' };

/** Node keys carry their kind, so ids of different record kinds never collide. */
export const nodeKey = (kind: NodeKind, id: string): string => `${PREFIX[kind]}:${id}`;

/** Whether a node key must be escaped inside an edge key (it holds "|" or "\\"; registry ids may). */
export const needsEscape = (key: string): boolean => key.includes('|') || key.includes('\\');

const escapeNodeKey = (key: string): string => (needsEscape(key) ? key.replace(/[\\|]/g, '\\$&') : key);

/**
 * Deterministic edge keys: writing the same relation twice lands on the same edge. `kind|source|target`,
 * with "|" and "\\" inside a node key escaped by "\\", so that one key names one edge: unescaped,
 * `mentions|doc:a|ent:b|ent:c` would name both (doc:a, ent:b|ent:c) and (doc:a|ent:b, ent:c).
 * Keys of nodes without those characters (every id Stage 2 makes but a document id) read as before.
 */
export function edgeKey(kind: EdgeKind, source: string, target: string): string {
  if (kind === 'co-occurs' && target < source) [source, target] = [target, source];
  return `${kind}|${escapeNodeKey(source)}|${escapeNodeKey(target)}`;
}

/** The kind and node keys an edge key names, or null when the string is not an edge key. */
export function parseEdgeKey(key: string): { kind: string; source: string; target: string } | null {
  const bars: number[] = [];
  let escaped = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (escaped) escaped = false;
    else if (c === BACKSLASH) escaped = true;
    else if (c === BAR) bars.push(i);
  }
  if (bars.length !== 2 || escaped) return null;
  const unescape = (part: string) => (part.includes('\\') ? part.replace(/\\(.)/g, '$1') : part);
  return { kind: key.slice(0, bars[0]), source: unescape(key.slice(bars[0] + 1, bars[1])), target: unescape(key.slice(bars[1] + 1)) };
}

const BAR = 124;
const BACKSLASH = 92;

/** An ISO calendar date (YYYY-MM-DD) of a Date, or null. */
export function isoDate(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

/** An ISO instant of a Date, or null. */
export function isoInstant(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
