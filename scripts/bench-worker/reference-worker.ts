import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;

export interface ReferenceWorker {
  /** Its directory, holding index.ts and wrangler.toml. */
  dir: string;
  remove: () => void;
}

/**
 * Writes the reference Worker into a temp dir: connect-es serving one service
 * (UserService.GetUser answering a fixed user) with createConnectRouter +
 * createFetchHandler, nothing else: no validation, tracing, logging, config or
 * storage. Same compatibility date and flags as the template, and minified like it.
 */
export function writeReferenceWorker(): ReferenceWorker {
  const dir = mkdtempSync(join(tmpdir(), "reference-worker-"));
  // Its imports resolve to this project's packages, the same versions the template bundles.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  const userPb = join(root, "src/gen/client/acme/user/v1/user_pb.ts");
  writeFileSync(
    join(dir, "index.ts"),
    `import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { UserService } from ${JSON.stringify(userPb)};

const router = createConnectRouter();
router.service(UserService, {
  getUser: (req) => ({ user: { id: req.id, email: "reference@example.com", displayName: "Reference" } }),
});
const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, createFetchHandler(handler)]));

export default {
  fetch(request: Request): Promise<Response> {
    const handler = handlers.get(new URL(request.url).pathname);
    return handler ? handler(request) : Promise.resolve(new Response(null, { status: 404 }));
  },
};
`,
  );
  const template = readTemplateCompat();
  writeFileSync(
    join(dir, "wrangler.toml"),
    `name = "reference-worker"
main = "index.ts"
compatibility_date = "${template.date}"
compatibility_flags = ${JSON.stringify(template.flags)}
send_metrics = false
minify = true
`,
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The template's compatibility date and flags, read from wrangler.toml. */
function readTemplateCompat(): { date: string; flags: string[] } {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*(\[[^\]]*\])/m.exec(toml)?.[1];
  if (!date || !flags) throw new Error("wrangler.toml: compatibility_date or compatibility_flags not found");
  return { date, flags: JSON.parse(flags) as string[] };
}
