import type { EventLinkage, ProcessedDocument, Storyline } from '@storytelling/nlp';
import type { BatchSummary } from '../batch/batch-summary';

type Out = (line: string) => void;

/** Prints a batch summary for people. */
export function printSummary(summary: BatchSummary, files: Record<string, string>, out: Out): void {
  const rate = summary.duration_ms > 0 ? ((summary.processed * 1000) / summary.duration_ms).toFixed(1) : '-';
  out(`batch ${summary.batch_id} (job ${summary.job_id}): ${summary.success ? 'completed' : `FAILED: ${summary.error}`}`);
  out(`  received ${summary.received}, processed ${summary.processed}, rejected ${summary.rejected}${summary.warnings.length ? `, processed with warnings ${summary.warnings.length}` : ''}`);
  out(`  events ${summary.events}, linkages ${summary.linkages}, storylines ${summary.storylines}`);
  const t = summary.timings_ms;
  out(`  ${(summary.duration_ms / 1000).toFixed(2)} s, ${rate} documents/s (analysis wait ${t.analysis_wait} ms, linking ${t.link} ms, stores ${t.stores} ms, registry ${t.registry} ms)`);
  for (const [store, c] of Object.entries(summary.stores)) {
    out(`  ${store}: ${c.documents} documents, ${c.events} events, ${c.entities} entities, ${c.linkages} linkages, ${c.storylines} storylines, ${c.rejects} rejects`);
  }
  const r = summary.registry;
  const counts = Object.entries(r.counts).map(([kind, n]) => `${n} ${kind}`).join(', ');
  out(`  registry: ${r.enabled ? `job ${r.job}, records ${r.documents ?? 'none'}, status ${r.status}${counts ? ` (${counts})` : ''}` : 'disabled'}`);
  r.warnings.forEach((w) => out(`  warning: ${w}`));
  for (const w of summary.warnings.slice(0, 20)) {
    const where = w.line !== null ? `line ${w.line}` : `document ${w.index + 1}`;
    out(`  warning ${where}${w.document_id ? ` (${w.document_id})` : ''}: ${w.code}: ${w.reason}`);
  }
  if (summary.warnings.length > 20) out(`  ... and ${summary.warnings.length - 20} more warnings in the summary (--json)`);
  for (const e of summary.errors.slice(0, 20)) {
    const where = e.line !== null ? `line ${e.line}` : `document ${e.index + 1}`;
    out(`  rejected ${where}${e.document_id ? ` (${e.document_id})` : ''}: ${e.code}: ${e.reason}`);
  }
  if (summary.errors.length > 20) out(`  ... and ${summary.errors.length - 20} more in the rejects file`);
  for (const [kind, file] of Object.entries(files)) out(`  ${kind}: ${file}`);
}

/** Event types too common to tell a story by themselves (still stored; not printed). */
const MINOR_TYPES = new Set(['general.occurrence', 'communication.statement']);

/** The first event of each event's coreference chain (its real-world event). */
function clusterRoots(linkages: EventLinkage[]): Map<string, string> {
  const target = new Map(linkages.filter((l) => l.kind === 'coreference').map((l) => [l.source_event_id, l.target_event_id]));
  const root = (id: string): string => {
    let current = id;
    for (let hops = 0; target.has(current) && hops < 100; hops++) current = target.get(current) as string;
    return current;
  };
  return new Map([...target.keys()].map((id) => [id, root(id)]));
}

/**
 * Prints each storyline with its events in time order: one line per real-world event (its
 * coreferent mentions counted together), the minor ones (statements, untyped) summed up.
 */
export function printStorylines(storylines: Storyline[], documents: ProcessedDocument[], linkages: EventLinkage[], out: Out): void {
  const events = new Map(documents.flatMap((d) => d.events).map((e) => [e.event_id, e]));
  const titles = new Map(documents.map((d) => [d.document_id, d.title ?? d.document_id]));
  const roots = clusterRoots(linkages);
  out(`\n${storylines.length} storylines found:`);
  for (const s of [...storylines].sort((a, b) => (a.start_date ?? '').localeCompare(b.start_date ?? '') || a.title.localeCompare(b.title))) {
    out(`\n■ ${s.title}  [${s.start_date ?? '?'} → ${s.end_date ?? '?'}]  ${s.document_ids.length} documents, ${s.event_ids.length} event mentions`);
    s.document_ids.forEach((id) => out(`    doc ${id}: ${titles.get(id) ?? ''}`));
    const mentions = new Map<string, { docs: Set<string>; count: number }>();
    for (const id of s.event_ids) {
      const e = events.get(id);
      if (!e) continue;
      const entry = mentions.get(roots.get(id) ?? id) ?? { docs: new Set<string>(), count: 0 };
      entry.docs.add(e.document_id);
      entry.count += 1;
      mentions.set(roots.get(id) ?? id, entry);
    }
    let minor = 0;
    for (const id of s.event_ids) {
      const e = events.get(id);
      const entry = mentions.get(id);
      if (!e || !entry) continue;
      if (MINOR_TYPES.has(e.event_type)) {
        minor += 1;
        continue;
      }
      const reported = entry.count > 1 ? `  ×${entry.count} in ${entry.docs.size} document${entry.docs.size > 1 ? 's' : ''}` : '';
      out(`    ${e.event_date ?? '    ?     '}  ${e.event_type.padEnd(22)} "${e.trigger.text}" (${e.document_id})${reported}`);
    }
    if (minor) out(`    ... and ${minor} statements or untyped events`);
  }
}

export interface ExpectedStoryline {
  name: string;
  document_ids: string[];
}

/** Compares the storylines found with the sample's known ones: where did each known story's documents go? */
export function printComparison(expected: ExpectedStoryline[], found: Storyline[], out: Out): number {
  out('\nCompared with the sample\'s known storylines:');
  let matched = 0;
  for (const story of expected) {
    const best = found
      .map((s) => ({ s, shared: story.document_ids.filter((id) => s.document_ids.includes(id)).length }))
      .sort((a, b) => b.shared - a.shared)[0];
    const shared = best?.shared ?? 0;
    const extra = best ? best.s.document_ids.filter((id) => !story.document_ids.includes(id)).length : 0;
    const exact = shared === story.document_ids.length && extra === 0;
    if (exact) matched += 1;
    out(`  ${exact ? '✓' : '✗'} ${story.name}: ${shared}/${story.document_ids.length} documents in one storyline${extra ? `, with ${extra} from other stories` : ''}`);
  }
  out(`  ${matched}/${expected.length} known storylines found exactly`);
  return matched;
}
