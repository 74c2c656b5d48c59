// `npm run token -- --sub ada --scopes "users:read users:write"`: prints a token signed
// by the development key that `npm start` trusts on loopback (created on first use).
import { parseArgs } from "node:util";
import { defaultDevKeyFile, mintDevToken } from "../../src/runtime/node/dev-auth.ts";

const usage = `usage: npm run token -- --sub SUBJECT [--scopes "users:read users:write"] [--ttl 1h] [--key-file ${defaultDevKeyFile}]`;

try {
  const { values } = parseArgs({
    options: {
      sub: { type: "string" },
      scopes: { type: "string", default: "" },
      ttl: { type: "string", default: "1h" },
      "key-file": { type: "string", default: process.env.AUTH_DEV_KEY_FILE || defaultDevKeyFile },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!values.sub) throw new Error("--sub is required (the caller the token names)");
  if (!/^\d+[smhd]$/.test(values.ttl))
    throw new Error(`--ttl must be a number and a unit (s, m, h, d), like 30m or 1h; got "${values.ttl}"`);
  const scopes = values.scopes.split(/\s+/).filter(Boolean);
  console.log(await mintDevToken({ subject: values.sub, scopes, expiresIn: values.ttl, file: values["key-file"] }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(1);
}
