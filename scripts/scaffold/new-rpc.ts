import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { formatWritten } from "./format-written.ts";
import { join } from "node:path";
import { lowerFirst, parseServiceName } from "./names.ts";

// `npm run new:rpc -- acme.inventory.v1.InventoryService GetThing`: adds a method to an
// existing service: the rpc with its access policy and empty request and response
// messages in the proto, and a stub in the implementation answering an empty response
// (so the suite, which calls every RPC the API documents, stays green until it is written).
// Run `npm run generate` after it, then fill in the messages and the stub.

const root = process.cwd();
const [fullName, methodArg, ...rest] = process.argv.slice(2);
const parsed = parseServiceName(fullName);
const names = "error" in parsed ? fail(parsed.error) : parsed;
const method: string =
  methodArg && /^[A-Z][A-Za-z0-9]*$/.test(methodArg)
    ? methodArg
    : fail(`give the method's name in PascalCase, e.g. GetThing (got "${methodArg ?? ""}")`);
if (rest.length > 0) fail(`unexpected arguments: ${rest.join(" ")}`);

// Reads (Get, List, ...) need the service's read scope and have no side effects; anything else needs its write scope.
const reads = /^(Get|List|Search|Lookup|Read|Batch(Get|Read))[A-Z0-9]/.test(method);

const protoDir = join(root, "proto/acme", names.domain, names.version);
const protoPath: string =
  (existsSync(protoDir) ? readdirSync(protoDir) : [])
    .filter((name) => name.endsWith(".proto"))
    .map((name) => join(protoDir, name))
    .find((path) => new RegExp(`^service ${names.service} \\{`, "m").test(readFileSync(path, "utf8"))) ??
  fail(`no proto in proto/acme/${names.domain}/${names.version}/ declares service ${names.service}`);
const implPath: string = findImplementation(names.service) ?? fail(`no file in src/services/ returns ServiceImpl<typeof ${names.service}>`);

const proto = readFileSync(protoPath, "utf8");
if (new RegExp(`\\brpc ${method}\\(|\\bmessage ${method}(Request|Response) \\{`).test(proto)) {
  fail(`${names.service} already has ${method} or its messages`);
}
const impl = readFileSync(implPath, "utf8");
writeFileSync(protoPath, withRpc(proto));
writeFileSync(implPath, withStub(impl));
formatWritten([implPath]);
console.log(`added ${method} to ${protoPath.slice(root.length + 1)} and a stub to ${implPath.slice(root.length + 1)}`);
console.log("Next: fill in its messages, npm run generate, then write the stub.");

/** The proto with the rpc (and its policy) at the end of the service, and its messages at the end. */
function withRpc(text: string): string {
  // The scope prefix the service already uses (users:read -> users), else the package's name.
  const prefix = /scopes:\s*\{\s*all:\s*\["([a-z0-9_.-]+):/.exec(text)?.[1] ?? names.domain;
  const scope = `${prefix}:${reads ? "read" : "write"}`;
  const rpc = [
    `  // ${method} (new:rpc): say what it does and how it fails.`,
    `  rpc ${method}(${method}Request) returns (${method}Response) {`,
    ...(reads ? ["    option idempotency_level = NO_SIDE_EFFECTS;"] : []),
    "    option (acme.auth.v1.policy) = {",
    `      scopes: {all: ["${scope}"]}`,
    "    };",
    "  }",
    "",
  ].join("\n");
  const start = text.search(new RegExp(`^service ${names.service} \\{`, "m"));
  const close = closingBrace(text, text.indexOf("{", start));
  let out = `${text.slice(0, close)}${rpc}${text.slice(close)}`;
  if (!out.includes('import "acme/auth/v1/options.proto";')) {
    out = out.replace(/^(package [^;]+;\n)/m, '$1\nimport "acme/auth/v1/options.proto";\n');
  }
  return `${out.trimEnd()}\n\nmessage ${method}Request {}\n\nmessage ${method}Response {}\n`;
}

/** The implementation with a stub method at the end of its returned object. */
function withStub(text: string): string {
  const start = text.indexOf(`ServiceImpl<typeof ${names.service}>`);
  const body = text.indexOf("return {", start);
  if (body < 0) fail(`${implPath} does not return an object literal after ServiceImpl<typeof ${names.service}>`);
  const close = closingBrace(text, body + "return ".length);
  const before = text.slice(0, close).trimEnd();
  const comma = before.endsWith(",") || before.endsWith("{") ? "" : ",";
  const stub = [
    "",
    `    // ${method} (new:rpc): a stub answering an empty ${method}Response; write it.`,
    `    async ${lowerFirst(method)}() {`,
    "      return {};",
    "    },",
    "  ",
  ].join("\n");
  return `${before}${comma}\n${stub}${text.slice(close)}`;
}

/** The index of the brace closing the one at `open` (braces in the text are balanced). */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  fail("unbalanced braces");
}

function findImplementation(service: string): string | undefined {
  const dir = join(root, "src/services");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(dir, name))
    .find((path) => readFileSync(path, "utf8").includes(`ServiceImpl<typeof ${service}>`));
}

function fail(message: string): never {
  console.error(`new:rpc: ${message}`);
  process.exit(1);
}
