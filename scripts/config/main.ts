import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import { formatConfig, parseConfig } from "../../src/config/parse-config.ts";
import { type ConfigTarget, kvTarget, nodeTarget } from "./targets.ts";

// `npm run config -- <command>`: validate, inspect and change the runtime config
// (acme.config.v1.Config as protobuf JSON) in the Node store or Workers KV.

const usage = `usage:
  npm run config -- validate FILE.json
  npm run config -- get  --target node|local|remote
  npm run config -- diff FILE.json --target node|local|remote
  npm run config -- set  FILE.json --target node|local|remote
options:
  --target node    the store \`npm start\` reads (CONFIG_FILE, else DATABASE_URL or DATABASE_PATH; same env)
  --target local   the local KV of \`npm run dev:worker\` (--persist-to DIR if it uses one)
  --target remote  the deployed KV namespace (needs \`npx wrangler login\`)`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** Reads and validates FILE.json; exits listing every problem when it is not a valid config. */
function readValidConfig(file: string | undefined): string {
  if (!file) fail(usage);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseConfig(text);
  if (!parsed.ok) fail(`${file} is not a valid config:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}`);
  return formatConfig(parsed.config);
}

/**
 * The stored config in canonical form (as is, if it is not a valid config; `valid`
 * says which), or "" when nothing is stored.
 */
async function readStored(target: ConfigTarget): Promise<{ text: string; valid: boolean }> {
  const stored = await target.read();
  if (stored === undefined) return { text: "", valid: true };
  const parsed = parseConfig(stored);
  return parsed.ok ? { text: formatConfig(parsed.config), valid: true } : { text: `${stored}\n`, valid: false };
}

function printDiff(target: ConfigTarget, stored: string, next: string, file: string): boolean {
  if (stored === next) {
    console.log(`no change: ${file} equals what ${target.describe} holds`);
    return false;
  }
  console.log(createTwoFilesPatch(`stored (${target.describe})`, file, stored, next, "", "", { context: 3 }));
  return true;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { target: { type: "string" }, "persist-to": { type: "string" }, help: { type: "boolean" } },
});
const [command, file] = positionals;
if (values.help || !command) fail(usage);

function target(): ConfigTarget {
  switch (values.target) {
    case "node":
      return nodeTarget(process.env);
    case "local":
    case "remote":
      return kvTarget(values.target, { env: process.env, ...(values["persist-to"] ? { persistTo: values["persist-to"] } : {}) });
    default:
      fail(`--target must be node, local or remote\n${usage}`);
  }
}

try {
  switch (command) {
    case "validate":
      readValidConfig(file);
      console.log(`${file} is a valid config`);
      break;
    case "get": {
      const t = target();
      const stored = await readStored(t);
      console.log(stored.text ? stored.text.trimEnd() : `nothing stored in ${t.describe}: the defaults apply`);
      if (!stored.valid) console.error("(stored value is not a valid config; the service ignores it)");
      break;
    }
    case "diff": {
      const next = readValidConfig(file);
      const t = target();
      printDiff(t, (await readStored(t)).text, next, file!);
      break;
    }
    case "set": {
      const next = readValidConfig(file);
      const t = target();
      if (printDiff(t, (await readStored(t)).text, next, file!)) {
        await t.write(next);
        console.log(`written to ${t.describe}`);
      }
      break;
    }
    default:
      fail(`unknown command "${command}"\n${usage}`);
  }
} catch (error) {
  fail(`config ${command} failed: ${(error as Error).message}`);
}
