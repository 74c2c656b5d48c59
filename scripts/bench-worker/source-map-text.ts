const base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const digit = new Map([...base64].map((char, i) => [char, i]));

export interface SourceMap {
  sources: string[];
  mappings: string;
}

/**
 * The generated text of a bundle split by the source file each piece comes from (a
 * version 3 source map: a segment covers its line from its column to the next
 * segment's). Text no segment names a source for (bundler glue) goes to index -1.
 */
export function textBySource(code: string, map: SourceMap): Map<number, string[]> {
  const pieces = new Map<number, string[]>();
  const add = (source: number, text: string) => {
    if (text === "") return;
    const list = pieces.get(source) ?? [];
    pieces.set(source, list);
    list.push(text);
  };
  const lines = code.split("\n");
  let source = 0;
  const mappingLines = map.mappings.split(";");
  for (const [lineIndex, line] of lines.entries()) {
    const segments: { column: number; source: number }[] = [];
    let column = 0;
    for (const segment of (mappingLines[lineIndex] ?? "").split(",")) {
      if (segment === "") continue;
      const fields = decodeVlq(segment);
      column += fields[0]!;
      if (fields.length >= 4) {
        source += fields[1]!;
        segments.push({ column, source });
      } else {
        segments.push({ column, source: -1 });
      }
    }
    add(-1, line.slice(0, segments[0]?.column ?? line.length));
    for (const [i, segment] of segments.entries()) {
      add(segment.source, line.slice(segment.column, segments[i + 1]?.column ?? line.length));
    }
  }
  return pieces;
}

/** One segment's fields, each relative to the previous segment's (base64 VLQ). */
function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const bits = digit.get(char);
    if (bits === undefined) throw new Error(`invalid source map segment ${segment}`);
    value += (bits & 31) * 2 ** shift;
    if (bits & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return values;
}
