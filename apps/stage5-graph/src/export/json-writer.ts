import type { GraphSelection } from './graph-selection';

/**
 * The selection in graphology's serialization format (`graph.import()` reads it back), written
 * in chunks so a million nodes never become one string.
 */
export function* writeGraphJson(selection: GraphSelection): Generator<string> {
  yield '{"options":{"type":"undirected","multi":true,"allowSelfLoops":false},"attributes":{},"nodes":[';
  let buffer = '';
  let first = true;
  for (const node of selection.nodes()) {
    // A checkpoint (the selection passed over many rows without a node): the step ends here.
    if (node === null) {
      yield buffer;
      buffer = '';
      continue;
    }
    const [key, attributes] = node;
    buffer += (first ? '' : ',') + JSON.stringify({ key, attributes });
    first = false;
    if (buffer.length > 65_536) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + '],"edges":[';
  buffer = '';
  first = true;
  for (const edge of selection.edges()) {
    if (edge === null) {
      yield buffer;
      buffer = '';
      continue;
    }
    const [key, attributes, source, target] = edge;
    buffer += (first ? '' : ',') + JSON.stringify({ key, source, target, attributes, undirected: true });
    first = false;
    if (buffer.length > 65_536) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + ']}';
}
