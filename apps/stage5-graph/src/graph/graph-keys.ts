import type { EdgeKind, NodeKind } from './graph.types';

const PREFIX: Record<NodeKind, string> = { document: 'doc', event: 'evt', entity: 'ent', storyline: 'sto' };

/** Node keys carry their kind, so ids of different record kinds never collide. */
export const nodeKey = (kind: NodeKind, id: string): string => `${PREFIX[kind]}:${id}`;

/** Deterministic edge keys: writing the same relation twice lands on the same edge. */
export function edgeKey(kind: EdgeKind, source: string, target: string): string {
  if (kind === 'co-occurs' && target < source) [source, target] = [target, source];
  return `${kind}|${source}|${target}`;
}

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
