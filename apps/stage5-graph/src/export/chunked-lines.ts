/** Chunks of about this many characters: big enough to keep writes few, small enough to stream. */
const CHUNK_CHARS = 65_536;

/**
 * The rendered items of a selection's stream, joined into chunks. A `null` item is a checkpoint
 * (the selection passed over many rows without one): the chunk so far is yielded, so the writer's
 * step ends there. `render` gets each item and how many were rendered before it.
 */
export function* chunkedLines<T>(items: Iterable<T | null>, render: (item: T, index: number) => string): Generator<string> {
  let buffer = '';
  let index = 0;
  for (const item of items) {
    if (item === null) {
      yield buffer;
      buffer = '';
      continue;
    }
    buffer += render(item, index++);
    if (buffer.length > CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer;
}
