import type { GraphSelection } from './graph-selection';
import { DIRECTED_KINDS } from './graph-selection';
import { chunkedLines } from './chunked-lines';
import { nmtokenId, xmlText } from './xml-text';
import type { NodeAttributes } from '../graph/graph.types';

const NODE_KEYS: Array<[string, string, (a: NodeAttributes) => unknown]> = [
  ['kind', 'string', (a) => a.kind],
  ['label', 'string', (a) => a.label],
  ['record_id', 'string', (a) => a.id],
  ['pagerank', 'double', (a) => a.pagerank],
  ['degree', 'int', (a) => a.degree],
  ['community', 'int', (a) => a.community],
  ['event_type', 'string', (a) => a.data['event_type']],
  ['date', 'string', (a) => a.data['event_date'] ?? a.data['publication_date'] ?? a.data['start_date']],
  ['entity_type', 'string', (a) => a.data['entity_type']],
];

/**
 * The selection as GraphML (Gephi, yEd, NetworkX), written in chunks, valid against the graphml.xsd
 * it names: node ids are the node keys made NMTOKENs (`nmtokenId`; the record's own id is in
 * `record_id`, its kind in `kind`), and edges have no id (optional in GraphML; an edge key holds
 * `|`, and an edge is known by its kind and ends, which are all written).
 */
export function* writeGraphml(selection: GraphSelection): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n';
  for (const [name, type] of NODE_KEYS) {
    yield `  <key id="n_${name}" for="node" attr.name="${name}" attr.type="${type}"/>\n`;
  }
  yield '  <key id="e_kind" for="edge" attr.name="kind" attr.type="string"/>\n';
  yield '  <key id="e_weight" for="edge" attr.name="weight" attr.type="double"/>\n';
  yield '  <key id="e_roles" for="edge" attr.name="roles" attr.type="string"/>\n';
  yield '  <graph id="stories" edgedefault="undirected">\n';
  yield* chunkedLines(selection.nodes(), ([node, a]) => {
    let line = `    <node id="${nmtokenId(node)}">`;
    for (const [name, , get] of NODE_KEYS) {
      const value = get(a);
      if (value !== undefined && value !== null) line += `<data key="n_${name}">${xmlText(value)}</data>`;
    }
    return line + '</node>\n';
  });
  yield* chunkedLines(
    selection.edges(),
    ([, a, source, target]) =>
      `    <edge source="${nmtokenId(source)}" target="${nmtokenId(target)}"${DIRECTED_KINDS.has(a.kind) ? ' directed="true"' : ''}>` +
      `<data key="e_kind">${a.kind}</data><data key="e_weight">${a.weight}</data>` +
      (a.roles ? `<data key="e_roles">${xmlText(a.roles.join(','))}</data>` : '') +
      '</edge>\n',
  );
  yield '  </graph>\n</graphml>\n';
}
