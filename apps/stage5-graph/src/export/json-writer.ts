import type { GraphSelection } from './graph-selection';

/**
 * The selection in graphology's serialization format (`graph.import()` reads it back), written
 * in chunks so a million nodes never become one string.
 */
export function* writeGraphJson(selection: GraphSelection): Generator<string> {
  yield '{"options":{"type":"undirected","multi":true,"allowSelfLoops":false},"attributes":{},"nodes":[';
  let buffer = '';
  let first = true;
  for (const [key, attributes] of selection.nodes()) {
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
  for (const [key, attributes, source, target] of selection.edges()) {
    buffer += (first ? '' : ',') + JSON.stringify({ key, source, target, attributes, undirected: true });
    first = false;
    if (buffer.length > 65_536) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + ']}';
}
