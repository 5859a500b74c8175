import type { GraphSelection } from './graph-selection';
import { DIRECTED_KINDS } from './graph-selection';
import { chunkedLines } from './chunked-lines';
import { xmlId, xmlText } from './xml-text';
import type { NodeAttributes } from '../graph/graph.types';

const NODE_ATTRIBUTES: Array<[string, string, (a: NodeAttributes) => unknown]> = [
  ['kind', 'string', (a) => a.kind],
  ['record_id', 'string', (a) => a.id],
  ['pagerank', 'double', (a) => a.pagerank],
  ['degree', 'integer', (a) => a.degree],
  ['community', 'integer', (a) => a.community],
  ['event_type', 'string', (a) => a.data['event_type']],
  ['date', 'string', (a) => a.data['event_date'] ?? a.data['publication_date'] ?? a.data['start_date']],
  ['entity_type', 'string', (a) => a.data['entity_type']],
];

/**
 * The selection as GEXF 1.3 (Gephi's own format), mixed directed/undirected edges, written in chunks.
 * gexf.xsd types ids as strings, so node and edge keys are written as they are (`xmlId`).
 */
export function* writeGexf(selection: GraphSelection, now = new Date()): Generator<string> {
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n';
  yield `  <meta lastmodifieddate="${now.toISOString().slice(0, 10)}"><creator>stage5-graph</creator>` +
    '<description>News storylines: documents, events, entities</description></meta>\n';
  yield '  <graph defaultedgetype="undirected" mode="static">\n    <attributes class="node">\n';
  for (const [index, [title, type]] of NODE_ATTRIBUTES.entries()) {
    yield `      <attribute id="${index}" title="${title}" type="${type}"/>\n`;
  }
  yield '    </attributes>\n    <attributes class="edge">\n';
  yield '      <attribute id="0" title="kind" type="string"/>\n      <attribute id="1" title="roles" type="string"/>\n';
  yield '    </attributes>\n    <nodes>\n';
  yield* chunkedLines(selection.nodes(), ([node, a]) => {
    let line = `      <node id="${xmlId(node)}" label="${xmlText(a.label)}"><attvalues>`;
    NODE_ATTRIBUTES.forEach(([, , get], index) => {
      const value = get(a);
      if (value !== undefined && value !== null) line += `<attvalue for="${index}" value="${xmlText(value)}"/>`;
    });
    return line + '</attvalues></node>\n';
  });
  yield '    </nodes>\n    <edges>\n';
  yield* chunkedLines(
    selection.edges(),
    ([edge, a, source, target]) =>
      `      <edge id="${xmlId(edge)}" source="${xmlId(source)}" target="${xmlId(target)}" type="${DIRECTED_KINDS.has(a.kind) ? 'directed' : 'undirected'}" ` +
      `weight="${a.weight}" label="${a.kind}"><attvalues><attvalue for="0" value="${a.kind}"/>` +
      (a.roles ? `<attvalue for="1" value="${xmlText(a.roles.join(','))}"/>` : '') +
      '</attvalues></edge>\n',
  );
  yield '    </edges>\n  </graph>\n</gexf>\n';
}
