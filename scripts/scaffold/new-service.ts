import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatWritten } from "./format-written.ts";
import { type ServiceNames, kebab, lowerFirst, parseServiceName } from "./names.ts";
import { contract, errorsProto, migration, postgresMigration, serviceImpl, serviceProto, sqlStore, storePort } from "./templates.ts";

// `npm run new:service -- acme.inventory.v1.InventoryService`: writes a working service
// (proto, errors proto, migration, store, implementation, contract test) and adds it to
// the wiring table (src/service-table.ts) and the client package (src/client/). Writes
// nothing if a file it would write exists.

const root = process.cwd();
const marker = "  // new:service adds its line above this one.\n";
const tablePath = join(root, "src/service-table.ts");
const clientPath = join(root, "src/client/create-api-client.ts");
const clientIndexPath = join(root, "src/client/index.ts");

const parsed = parseServiceName(process.argv[2]);
const names = "error" in parsed ? fail(parsed.error) : parsed;
if (process.argv.length > 3) fail(`unexpected arguments: ${process.argv.slice(3).join(" ")}`);

const files = filesOf(names);
const taken = Object.keys(files).filter((path) => existsSync(join(root, path)));
if (taken.length > 0) fail(`refusing to overwrite: ${taken.join(", ")} already exist`);
const table = readFileSync(tablePath, "utf8");
const client = readFileSync(clientPath, "utf8");
for (const [path, text] of [
  ["src/service-table.ts", table],
  ["src/client/create-api-client.ts", client],
] as const) {
  if (!text.includes(marker)) fail(`${path} lacks the line "${marker.trim()}" to add the service above`);
  if (new RegExp(`\\b${names.service}\\b`).test(text)) fail(`${path} already has a ${names.service}`);
}

for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, { flag: "wx" });
  console.log(`wrote ${path}`);
}
writeFileSync(
  tablePath,
  withLine(
    table,
    [
      `import { ${names.service} } from "./gen/acme/${names.domain}/${names.version}/${names.baseSnake}_pb.ts";`,
      `import { create${names.service} } from "./services/${names.baseKebab}-service.ts";`,
      `import { sql${names.entity}Store } from "./store/sql-${kebab(names.entity)}-store.ts";`,
    ],
    `  wire(${names.service}, ({ db }) => create${names.service}(sql${names.entity}Store(db))),`,
  ),
);
console.log(`added ${names.service} to src/service-table.ts`);
// The client package: api.<name> in createApiClient, the messages and the error helpers.
const clientName = lowerFirst(names.base);
writeFileSync(
  clientPath,
  withLine(
    client,
    [`import { ${names.service} } from "../gen/client/acme/${names.domain}/${names.version}/${names.baseSnake}_pb.ts";`],
    `  ${clientName}: ${names.service},`,
  ),
);
const clientGen = `../gen/client/acme/${names.domain}/${names.version}`;
writeFileSync(
  clientIndexPath,
  `${readFileSync(clientIndexPath, "utf8").trimEnd()}\nexport * from "${clientGen}/${names.baseSnake}_pb.ts";\nexport * as ${clientName}Errors from "${clientGen}/errors_reasons.ts";\n`,
);
console.log(`added api.${clientName} and ${clientName}Errors to the client package (src/client/)`);
formatWritten([...Object.keys(files), "src/service-table.ts", "src/client/create-api-client.ts", "src/client/index.ts"]);
console.log(`
Next:
  npm run generate && npm test
  npm start        # then, with a token from: npm run token -- --sub you --scopes "${names.domain}:read ${names.domain}:write"
  buf curl --protocol connect --http2-prior-knowledge -H "Authorization: Bearer $TOKEN" \\
    -d '{"name": "first"}' http://localhost:8080/${names.pkg}.${names.service}/Create${names.entity}
Add a method later with: npm run new:rpc -- ${names.pkg}.${names.service} <MethodName>`);

/** Every file to write, by path from the repository root. */
function filesOf(n: ServiceNames): Record<string, string> {
  const protoDir = `proto/acme/${n.domain}/${n.version}`;
  const migrationName = `${nextMigrationNumber()}_create_${n.table}.sql`;
  return {
    [`${protoDir}/${n.baseSnake}.proto`]: serviceProto(n),
    [`${protoDir}/errors.proto`]: errorsProto(n),
    [`migrations/${migrationName}`]: migration(n),
    [`migrations-postgres/${migrationName}`]: postgresMigration(n),
    [`src/store/${kebab(n.entity)}-store.ts`]: storePort(n),
    [`src/store/sql-${kebab(n.entity)}-store.ts`]: sqlStore(n),
    [`src/services/${n.baseKebab}-service.ts`]: serviceImpl(n),
    [`test/shared/${n.baseKebab}-service-contract.ts`]: contract(n),
  };
}

/** The next NNNN of migrations/NNNN_*.sql (applied in name order on both runtimes). */
function nextMigrationNumber(): string {
  const numbers = readdirSync(join(root, "migrations"))
    .map((name) => /^(\d{4})_.*\.sql$/.exec(name)?.[1])
    .filter((n) => n !== undefined)
    .map(Number);
  return String(Math.max(0, ...numbers) + 1).padStart(4, "0");
}

/** `text` with `imports` after its last import and `line` above the marker. */
function withLine(text: string, imports: string[], line: string): string {
  const lastImport = [...text.matchAll(/^import .*;$/gm)].at(-1)!;
  const end = lastImport.index + lastImport[0].length;
  const withImports = `${text.slice(0, end)}\n${imports.join("\n")}${text.slice(end)}`;
  return withImports.replace(marker, `${line}\n${marker}`);
}

function fail(message: string): never {
  console.error(`new:service: ${message}`);
  process.exit(1);
}
