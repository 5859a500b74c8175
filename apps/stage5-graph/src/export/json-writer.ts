import { chunkedLines } from './chunked-lines';
import type { GraphSelection } from './graph-selection';

/**
 * The selection in graphology's serialization format (`graph.import()` reads it back), written
 * in chunks so a million nodes never become one string.
 */
export function* writeGraphJson(selection: GraphSelection): Generator<string> {
  yield '{"options":{"type":"undirected","multi":true,"allowSelfLoops":false},"attributes":{},"nodes":[';
  yield* chunkedLines(selection.nodes(), ([key, attributes], index) => (index ? ',' : '') + JSON.stringify({ key, attributes }));
  yield '],"edges":[';
  yield* chunkedLines(
    selection.edges(),
    ([key, attributes, source, target], index) => (index ? ',' : '') + JSON.stringify({ key, source, target, attributes, undirected: true }),
  );
  yield ']}';
}
