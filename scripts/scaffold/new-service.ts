import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ServiceNames, kebab, parseServiceName } from "./names.ts";
import { contract, errorsProto, migration, serviceImpl, serviceProto, sqlStore, storePort } from "./templates.ts";

// `npm run new:service -- acme.inventory.v1.InventoryService`: writes a working service
// (proto, errors proto, migration, store, implementation, contract test) and adds it to
// the wiring table, src/service-table.ts. Writes nothing if a file it would write exists.

const root = process.cwd();
const tablePath = join(root, "src/service-table.ts");
const tableMarker = "  // new:service adds its line above this one.\n";

const parsed = parseServiceName(process.argv[2]);
const names = "error" in parsed ? fail(parsed.error) : parsed;
if (process.argv.length > 3) fail(`unexpected arguments: ${process.argv.slice(3).join(" ")}`);

const files = filesOf(names);
const taken = Object.keys(files).filter((path) => existsSync(join(root, path)));
if (taken.length > 0) fail(`refusing to overwrite: ${taken.join(", ")} already exist`);
const table = readFileSync(tablePath, "utf8");
if (!table.includes(tableMarker)) fail(`src/service-table.ts lacks the line "${tableMarker.trim()}" to add the service above`);
if (new RegExp(`\\b${names.service}\\b`).test(table)) fail(`src/service-table.ts already wires a ${names.service}`);

for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text, { flag: "wx" });
  console.log(`wrote ${path}`);
}
writeFileSync(tablePath, wired(table, names));
console.log(`added ${names.service} to src/service-table.ts`);
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
  return {
    [`${protoDir}/${n.baseSnake}.proto`]: serviceProto(n),
    [`${protoDir}/errors.proto`]: errorsProto(n),
    [`migrations/${nextMigrationNumber()}_create_${n.table}.sql`]: migration(n),
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

/** The table with the service's imports after the last import and its line at the marker. */
function wired(text: string, n: ServiceNames): string {
  const imports = [
    `import { ${n.service} } from "./gen/acme/${n.domain}/${n.version}/${n.baseSnake}_pb.ts";`,
    `import { create${n.service} } from "./services/${n.baseKebab}-service.ts";`,
    `import { sql${n.entity}Store } from "./store/sql-${kebab(n.entity)}-store.ts";`,
  ].join("\n");
  const lastImport = [...text.matchAll(/^import .*;$/gm)].at(-1)!;
  const end = lastImport.index + lastImport[0].length;
  const withImports = `${text.slice(0, end)}\n${imports}${text.slice(end)}`;
  const line = `  wire(${n.service}, ({ db }) => create${n.service}(sql${n.entity}Store(db))),\n`;
  return withImports.replace(tableMarker, line + tableMarker);
}

function fail(message: string): never {
  console.error(`new:service: ${message}`);
  process.exit(1);
}

