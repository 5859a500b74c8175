import { storableText } from '@storytelling/common';
import { isoDate, isoInstant, nodeKey } from './graph-keys';
import { NODE_KINDS, type JobBundle, type NodeKind } from './graph.types';

/** A node record's data field, as the node keeps it. */
export type NodeValue = string | number | boolean | null | string[];

/** Node records of one kind, in bundle order. */
export interface CompactRecords {
  /** Index in `keys` of each record's node. */
  key: Int32Array;
  /** The record's data fields, row after row, in the order of `RECORD_FIELDS` of the kind. */
  values: NodeValue[];
}

/**
 * A relation grouped by the node that owns it (a document's mentions, an event's participants, a
 * storyline's events). Each record of the job has a group, empty when it has none of the relation:
 * the merge replaces what the graph held for the owner with its group.
 */
export interface CompactGroups {
  /** Index in `keys` of each group's owner. */
  owner: Int32Array;
  /** Group g's members are `start[g]` .. `start[g + 1] - 1`. */
  start: Int32Array;
  /** Index in `keys` of each member, once per group, in order of first appearance. */
  member: Int32Array;
  /** Per member: summed mention count, index in `roleSets`, or position in the storyline. */
  value: Float64Array;
}

export interface BundleCounts {
  documents: number;
  events: number;
  entities: number;
  linkages: number;
  storylines: number;
}

/**
 * One job's records in the form the merge consumes: every node the job names is a number (an
 * index in `keys`), relations are grouped and deduplicated, dates are ISO strings. Built on the
 * thread that read the job; its typed arrays move to the merging thread without a copy, and the
 * merge no longer parses, groups or looks ids up (see graph-builder.ts).
 */
export interface CompactBundle {
  jobId: string;
  counts: BundleCounts;
  /** Node keys the job names, each once. */
  keys: string[];
  /** Index in NODE_KINDS of each key's kind. */
  kinds: Uint8Array;
  /** The label a placeholder for key i gets (null: its id): the one the first relation naming it gives. */
  placeholderLabels: Array<string | null>;
  entities: CompactRecords;
  documents: CompactRecords;
  events: CompactRecords;
  storylines: CompactRecords;
  mentions: CompactGroups;
  participations: CompactGroups;
  /** Distinct sorted role sets of the participations. */
  roleSets: string[][];
  linkages: { source: Int32Array; target: Int32Array; sameAs: Uint8Array; weight: Float64Array };
  storylineEvents: CompactGroups;
}

/** Data fields per record kind, in the order the node's `data` lists them (labels come from them too). */
export const RECORD_FIELDS = {
  entity: ['canonical_name', 'entity_type', 'aliases'],
  document: ['title', 'author', 'publication_date', 'source_url', 'word_count', 'entity_count', 'event_count'],
  event: ['event_type', 'event_date', 'description', 'trigger_text', 'place', 'confidence', 'document_id'],
  storyline: ['title', 'start_date', 'end_date', 'document_ids'],
} as const;

/**
 * Builds a compact bundle (on whichever thread read the job). The bundle's records are left as they were.
 * Text fields, labels and roles come out as Stage 5's tables store them (see {@link text}).
 */
export function compactBundle(bundle: JobBundle): CompactBundle {
  const keys = new KeyTable();
  const entities = records(keys, 'entity', bundle.entities, (e) => e.entity_id, (e, v) =>
    v.push(text(e.canonical_name), text(e.entity_type), Array.from(e.aliases ?? [], text)),
  );
  const documents = records(keys, 'document', bundle.documents, (d) => d.document_id, (d, v) =>
    v.push(text(d.title), text(d.author), isoInstant(d.publication_date), text(d.source_url), d.word_count, d.entity_count, d.event_count),
  );
  const events = records(keys, 'event', bundle.events, (ev) => ev.event_id, (ev, v) =>
    v.push(text(ev.event_type), isoDate(ev.event_date), text(ev.description), text(ev.trigger_text), text(ev.place), ev.confidence, ev.document_id),
  );
  const storylines = records(keys, 'storyline', bundle.storylines, (s) => s.storyline_id, (s, v) =>
    v.push(text(s.title), isoDate(s.start_date), isoDate(s.end_date), [...(s.document_ids ?? [])]),
  );
  // Relations in the merge's order, so each placeholder gets the label of the first relation naming it.
  const mentions = mentionGroups(keys, bundle);
  const { participations, roleSets } = participationGroups(keys, bundle);
  const linkages = linkageArrays(keys, bundle);
  const storylineEvents = storylineGroups(keys, bundle);
  return {
    jobId: bundle.job.job_id,
    counts: {
      documents: bundle.documents.length,
      events: bundle.events.length,
      entities: bundle.entities.length,
      linkages: bundle.linkages.length,
      storylines: bundle.storylines.length,
    },
    keys: keys.keys,
    kinds: Uint8Array.from(keys.kinds),
    placeholderLabels: keys.labels,
    entities,
    documents,
    events,
    storylines,
    mentions,
    participations,
    roleSets,
    linkages,
    storylineEvents,
  };
}

/** The buffers of a compact bundle, to move (not copy) it to another thread. */
export function compactBundleBuffers(bundle: CompactBundle): ArrayBuffer[] {
  const groups = (g: CompactGroups) => [g.owner, g.start, g.member, g.value];
  const arrays = [
    bundle.kinds,
    bundle.entities.key,
    bundle.documents.key,
    bundle.events.key,
    bundle.storylines.key,
    ...groups(bundle.mentions),
    ...groups(bundle.participations),
    ...groups(bundle.storylineEvents),
    bundle.linkages.source,
    bundle.linkages.target,
    bundle.linkages.sameAs,
    bundle.linkages.weight,
  ];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/**
 * A record's text as PostgreSQL stores it (`storableText`: a lone UTF-16 surrogate becomes U+FFFD, a
 * NUL goes). A registry on Redis keeps text as Stage 2 sent it, such as a description cut inside an
 * emoji: jsonb refused it and failed every later persist, and a text column turned it into U+FFFD,
 * so the graph in memory differed from the one reloaded (a false change at the next merge). Made
 * once, here, memory and tables hold the same text. Ids are left alone: the registry refuses an id
 * holding either.
 */
function text<T>(value: T): T {
  return (typeof value === 'string' ? storableText(value) : value) as T;
}

const KIND_INDEX = new Map<NodeKind, number>(NODE_KINDS.map((kind, i) => [kind, i]));

/** Node keys by first mention, and the placeholder label each gets. */
class KeyTable {
  readonly keys: string[] = [];
  readonly kinds: number[] = [];
  readonly labels: Array<string | null> = [];
  /** Per kind, by record id: a reference to a known node builds no key string. */
  private readonly index: Record<NodeKind, Map<string, number>> = { document: new Map(), event: new Map(), entity: new Map(), storyline: new Map() };
  /** Keys already named by a record or a relation: a later relation's label no longer counts. */
  private readonly settled: boolean[] = [];

  /** A node a record of the bundle describes. */
  record(kind: NodeKind, id: string): number {
    const i = this.of(kind, id);
    this.settled[i] = true;
    return i;
  }

  /** A node a relation names; `label` is what a placeholder for it would be called. */
  named(kind: NodeKind, id: string, label?: string | null): number {
    const i = this.of(kind, id);
    if (!this.settled[i]) {
      this.settled[i] = true;
      this.labels[i] = label ?? null;
    }
    return i;
  }

  private of(kind: NodeKind, id: string): number {
    const ids = this.index[kind];
    let i = ids.get(id);
    if (i === undefined) {
      i = this.keys.length;
      ids.set(id, i);
      this.keys.push(nodeKey(kind, id));
      this.kinds.push(KIND_INDEX.get(kind) as number);
      this.labels.push(null);
      this.settled.push(false);
    }
    return i;
  }
}

/** `fields` pushes the row's data fields onto `values`, in `RECORD_FIELDS` order. */
function records<R>(keys: KeyTable, kind: NodeKind, rows: R[], id: (row: R) => string, fields: (row: R, values: NodeValue[]) => void): CompactRecords {
  const key = new Int32Array(rows.length);
  const values: NodeValue[] = [];
  for (let i = 0; i < rows.length; i++) {
    key[i] = keys.record(kind, id(rows[i]));
    fields(rows[i], values);
  }
  return { key, values };
}

/** Groups in the order they are opened; a member named twice in a group keeps its first value unless `combine` says otherwise. */
class GroupBuilder {
  private readonly groups: Array<[owner: number, members: Map<number, number>]> = [];
  private size = 0;

  constructor(private readonly combine: (previous: number, value: number) => number = (previous) => previous) {}

  /** Starts the next group. */
  open(owner: number): Map<number, number> {
    const members = new Map<number, number>();
    this.groups.push([owner, members]);
    return members;
  }

  add(members: Map<number, number>, member: number, value: number): void {
    const previous = members.get(member);
    if (previous === undefined) this.size++;
    members.set(member, previous === undefined ? value : this.combine(previous, value));
  }

  build(): CompactGroups {
    const owner = new Int32Array(this.groups.length);
    const start = new Int32Array(this.groups.length + 1);
    const member = new Int32Array(this.size);
    const value = new Float64Array(this.size);
    let m = 0;
    this.groups.forEach(([o, members], g) => {
      owner[g] = o;
      start[g] = m;
      for (const [k, v] of members) {
        member[m] = k;
        value[m++] = v;
      }
    });
    start[this.groups.length] = m;
    return { owner, start, member, value };
  }
}

function mentionGroups(keys: KeyTable, bundle: JobBundle): CompactGroups {
  // A document's mentions of one entity add up (at least one each).
  const groups = new GroupBuilder((a, b) => a + b);
  const byDocument = new Map<string, Array<JobBundle['documentEntities'][number]>>();
  for (const m of bundle.documentEntities) {
    const list = byDocument.get(m.document_id);
    if (list) list.push(m);
    else byDocument.set(m.document_id, [m]);
  }
  for (const [documentId, mentions] of byDocument) {
    const members = groups.open(keys.named('document', documentId));
    for (const m of mentions) groups.add(members, keys.named('entity', m.entity_id), Math.max(1, m.mention_count));
  }
  // A document the job sent without an entity keeps none: its empty group drops what it had. Only
  // when the record says so (entity_count 0): its rows may be missing for another reason, moved to
  // a job that re-sent it while this one was read (the reads of a job's kinds share no snapshot).
  for (const d of bundle.documents) {
    if (d.entity_count === 0 && !byDocument.has(d.document_id)) groups.open(keys.named('document', d.document_id));
  }
  return groups.build();
}

function participationGroups(keys: KeyTable, bundle: JobBundle): { participations: CompactGroups; roleSets: string[][] } {
  // Roles as small arrays (an entity rarely has more than one role in an event): a Set per pair is a million Sets.
  const roles = new Map<string, Map<string, { roles: string[]; name?: string }>>();
  const add = (eventId: string, entityId: string, role: string, name?: string): void => {
    let byEntity = roles.get(eventId);
    if (!byEntity) roles.set(eventId, (byEntity = new Map()));
    let entry = byEntity.get(entityId);
    if (!entry) byEntity.set(entityId, (entry = { roles: [], name }));
    if (role && !entry.roles.includes(role)) entry.roles.push(role);
  };
  // Events without a participant of their own: looked up once the job's event_entities are in.
  const bare = new Set<string>();
  for (const ev of bundle.events) {
    let named = false;
    for (const p of Array.isArray(ev.participants) ? ev.participants : []) {
      if (p && typeof p.entity_id === 'string' && p.entity_id) {
        add(ev.event_id, p.entity_id, text(p.role ?? ''), typeof p.name === 'string' ? text(p.name) : undefined);
        named = true;
      }
    }
    if (!named) bare.add(ev.event_id);
  }
  for (const ee of bundle.eventEntities) add(ee.event_id, ee.entity_id, text(ee.role));
  const roleSets: string[][] = [];
  const roleSetIndex = new Map<string, number>();
  const roleSet = (sorted: string[]): number => {
    const key = sorted.join('\u0000');
    let i = roleSetIndex.get(key);
    if (i === undefined) {
      roleSetIndex.set(key, (i = roleSets.length));
      roleSets.push(sorted);
    }
    return i;
  };
  const groups = new GroupBuilder();
  for (const [eventId, byEntity] of roles) {
    const members = groups.open(keys.named('event', eventId));
    for (const [entityId, entry] of byEntity) groups.add(members, keys.named('entity', entityId, entry.name), roleSet(entry.roles.sort()));
  }
  // An event the job sent without a participant keeps none: its empty group drops what it had.
  for (const eventId of bare) if (!roles.has(eventId)) groups.open(keys.named('event', eventId));
  return { participations: groups.build(), roleSets };
}

function linkageArrays(keys: KeyTable, bundle: JobBundle): CompactBundle['linkages'] {
  const kept = bundle.linkages.filter((l) => l.source_event_id !== l.target_event_id);
  const source = new Int32Array(kept.length);
  const target = new Int32Array(kept.length);
  const sameAs = new Uint8Array(kept.length);
  const weight = new Float64Array(kept.length);
  kept.forEach((l, i) => {
    source[i] = keys.named('event', l.source_event_id);
    target[i] = keys.named('event', l.target_event_id);
    sameAs[i] = l.kind === 'coreference' ? 1 : 0;
    weight[i] = l.score > 0 ? l.score : 1;
  });
  return { source, target, sameAs, weight };
}

function storylineGroups(keys: KeyTable, bundle: JobBundle): CompactGroups {
  // A storyline's own events replace what it had, record by record; an event listed twice keeps its first position.
  const groups = new GroupBuilder();
  for (const s of bundle.storylines) {
    const members = groups.open(keys.named('storyline', s.storyline_id));
    s.event_ids.forEach((eventId, position) => groups.add(members, keys.named('event', eventId), position));
  }
  return groups.build();
}
