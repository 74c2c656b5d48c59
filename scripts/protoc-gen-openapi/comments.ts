import type { AnyDesc, DescFile } from "@bufbuild/protobuf";
import { getComments } from "@bufbuild/protoplugin";

/**
 * The leading proto comment of `desc` as Markdown (the one space after `//` removed),
 * followed by `notes` (rules and policies the schema cannot say), one per line.
 */
export function describe(desc: Exclude<AnyDesc, DescFile>, notes: readonly string[] = []): string {
  const comment = (getComments(desc).leading ?? "")
    .split("\n")
    .map((line) => line.replace(/^ /, "").trimEnd())
    .join("\n")
    .trim();
  return [comment, ...notes].filter(Boolean).join("\n\n");
}
