/** One non-blank line of an NDJSON file or body, as raw bytes. */
export interface NdjsonLine {
  /** 1-based line number. */
  line: number;
  bytes: Uint8Array;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const isBlank = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0x20 || b === 0x09 || b === CARRIAGE_RETURN);

/**
 * Splits NDJSON into lines without decoding it: each line is checked for UTF-8 on its own,
 * so one line of bad bytes rejects one document, not the file. Blank lines are skipped.
 */
export function splitNdjson(buffer: Uint8Array, maxLines = Infinity): NdjsonLine[] {
  const lines: NdjsonLine[] = [];
  let start = 0;
  let line = 1;
  while (start <= buffer.length && lines.length < maxLines) {
    let end = buffer.indexOf(NEWLINE, start);
    if (end === -1) end = buffer.length;
    let stop = end;
    if (stop > start && buffer[stop - 1] === CARRIAGE_RETURN) stop -= 1;
    const bytes = buffer.subarray(start, stop);
    if (bytes.length > 0 && !isBlank(bytes)) lines.push({ line, bytes });
    start = end + 1;
    line += 1;
  }
  return lines;
}
