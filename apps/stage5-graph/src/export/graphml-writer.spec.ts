import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createStoryGraph } from '../graph/graph-builder';
import { GraphModel } from '../graph/graph-model';
import { nodeKey } from '../graph/graph-keys';
import type { NodeAttributes, NodeKind } from '../graph/graph.types';
import { selectGraph } from './graph-selection';
import { writeGraphml } from './graphml-writer';
import { writeGexf } from './gexf-writer';

// XML 1.0's NameChar production, as code point ranges: an NMTOKEN (graphml.xsd's type of node ids,
// sources, targets and edge ids) is one or more of them.
const NAME_CHARS: Array<[number, number]> = [
  [0x2d, 0x2e], [0x30, 0x3a], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a], [0xb7, 0xb7], [0xc0, 0xd6], [0xd8, 0xf6],
  [0xf8, 0x37d], [0x37f, 0x1fff], [0x200c, 0x200d], [0x203f, 0x2040], [0x2070, 0x218f], [0x2c00, 0x2fef],
  [0x3001, 0xd7ff], [0xf900, 0xfdcf], [0xfdf0, 0xfffd], [0x10000, 0xeffff],
];
const isNmtoken = (value: string) =>
  value.length > 0 && [...value].every((c) => NAME_CHARS.some(([from, to]) => (c.codePointAt(0) ?? -1) >= from && (c.codePointAt(0) ?? -1) <= to));

/** Decodes nmtokenId's `_xHHHH_` escapes. */
const decode = (id: string) => id.replace(/_x([0-9A-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const attributes = (kind: NodeKind, id: string): NodeAttributes => ({ kind, id, label: id, jobId: null, data: {}, pagerank: 0.1, degree: 0, community: 0 });

type Parsed = Record<string, string | Array<Record<string, string>>>;

describe('GraphML ids', () => {
  // Ids the registry may hold: spaces, slashes, `|`, `_x` that looks like an escape, non-ASCII, surrogates, characters XML cannot hold.
  const ids = ['plain-1.2', 'a b', 'a/b', 'q|ent:r', 'e?x#y', 'under_score', '_x0041_', 'Zürich €', 'emoji😀', 'back\\slash', 'a\u0000b', 'e\uD800f', 'a\u0001', 'a\\u0001'];
  const graph = createStoryGraph();
  graph.addNode(nodeKey('event', 'ev'), attributes('event', 'ev'));
  for (const id of ids) {
    graph.addNode(nodeKey('entity', id), attributes('entity', id));
    graph.addNode(nodeKey('document', id), attributes('document', id));
    graph.addEdge(nodeKey('document', id), nodeKey('entity', id), { kind: 'mentions', weight: 2 });
    graph.addEdge(nodeKey('entity', id), nodeKey('event', 'ev'), { kind: 'participates', weight: 1, roles: ['agent'] });
  }
  const model = new GraphModel(graph);
  model.refreshIndexes();
  const xml = [...writeGraphml(selectGraph(model, {}))].join('');
  const parsed = new XMLParser({ ignoreAttributes: false, parseAttributeValue: false, htmlEntities: true }).parse(xml) as { graphml: { graph: Record<string, Array<Parsed>> } };
  const nodes = parsed.graphml.graph.node;
  const edges = parsed.graphml.graph.edge;

  it('are NMTOKENs, as graphml.xsd requires, for nodes, sources and targets; edges carry no id', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const nodeIds = nodes.map((n) => n['@_id'] as string);
    const ends = edges.flatMap((e) => [e['@_source'] as string, e['@_target'] as string]);
    expect([...nodeIds, ...ends].filter((id) => !isNmtoken(id))).toEqual([]);
    expect(edges.filter((e) => e['@_id'] !== undefined)).toEqual([]);
  });

  it('stay one to one with the node keys, decodably, and every edge names nodes written', () => {
    const nodeIds = nodes.map((n) => n['@_id'] as string);
    expect(nodeIds.map(decode).sort()).toEqual(graph.nodes().sort());
    const written = new Set(nodeIds);
    expect(edges).toHaveLength(graph.size);
    expect(edges.flatMap((e) => [e['@_source'], e['@_target']]).filter((id) => !written.has(id as string))).toEqual([]);
  });

  it('keep the record id in record_id', () => {
    const recordIds = nodes.map((n) => {
      const data = n.data as unknown as Array<{ '@_key': string; '#text': string | number }>;
      return String(data.find((d) => d['@_key'] === 'n_record_id')?.['#text']);
    });
    expect(recordIds).toEqual(expect.arrayContaining(['a b', 'a/b', 'q|ent:r', 'Zürich €', 'under_score']));
  });

  it('stay as they are in GEXF, whose schema types ids as strings', () => {
    const gexf = [...writeGexf(selectGraph(model, {}))].join('');
    expect(XMLValidator.validate(gexf)).toBe(true);
    expect(gexf).toContain('<node id="ent:a b"');
    expect(gexf).toContain('<edge id="mentions|doc:a/b|ent:a/b"');
  });
});
