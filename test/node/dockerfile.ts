import { readFileSync } from "node:fs";

/** One Dockerfile instruction: `RUN npm install` -> { keyword: "RUN", args: "npm install" }. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** A build stage: from `FROM image AS name` up to the next FROM. */
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/**
 * Reads a Dockerfile into its stages, enough for checking what it claims: comments and
 * blank lines dropped, `\` continuations joined. No parser directives, heredocs or
 * build-arg substitution, which the project's Dockerfile does not use.
 */
export function parseDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const instructions: Instruction[] = [];
  let pending = "";
  for (const line of lines) {
    if (/^\s*#/.test(line) || (pending === "" && line.trim() === "")) continue;
    const continued = line.endsWith("\\");
    pending += (pending ? " " : "") + (continued ? line.slice(0, -1) : line).trim();
    if (continued) continue;
    const match = /^(\w+)\s+(.*)$/.exec(pending);
    if (!match) throw new Error(`not a Dockerfile instruction: ${pending}`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]! });
    pending = "";
  }
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args.split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${instruction.keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The arguments of every `keyword` instruction of a stage, in order. */
export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV A=1 B=2` instructions of a stage as one record (unquoted values only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const [key, ...value] = pair.split("=");
      if (!key || value.length === 0) throw new Error(`ENV ${args}: only KEY=value pairs are supported here`);
      env[key] = value.join("=");
    }
  }
  return env;
}

/** An exec-form (JSON array) CMD or HEALTHCHECK command; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.slice(args.indexOf("["));
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === "string") ? parsed : undefined;
  } catch {
    return undefined;
  }
}
