import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { testAuth } from "./test-auth-key.ts";

const run = promisify(execFile);

/**
 * Calls a method (of UserService unless `service` says otherwise) with `buf curl` (a Go
 * client, not connect-es), the schema compiled from proto/. Resolves to the response
 * messages (one per streamed message); rejects on a non-zero exit, with buf's error
 * JSON in `stderr`. Sends the test key's token with every scope (test-auth-key.ts) unless
 * `extraArgs` set an Authorization header.
 */
export async function bufCurl(
  baseUrl: string,
  protocol: string,
  method: string,
  body: object,
  extraArgs: string[] = [],
  service = "acme.user.v1.UserService",
): Promise<Record<string, any>[]> {
  const { stdout } = await run("buf", [
    "curl",
    "--schema",
    "proto",
    "--protocol",
    protocol,
    ...(extraArgs.some((arg) => /^authorization:/i.test(arg)) ? [] : ["-H", `Authorization: ${testAuth.bearer}`]),
    ...extraArgs,
    "--data",
    JSON.stringify(body),
    `${baseUrl}/${service}/${method}`,
  ]);
  return stdout
    .trim()
    .split(/\n(?=\{)/)
    .map((doc) => JSON.parse(doc) as Record<string, any>);
}
