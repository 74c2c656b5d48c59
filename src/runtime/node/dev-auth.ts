import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { AuthSettings } from "../../auth/auth-settings.ts";
import { type SigningKey, keySetOf, newSigningKey, tokenSigner } from "../../auth/signing-key.ts";

/** The issuer and audience of development tokens: only ever trusted on loopback. */
export const devIssuer = "connect-service-template-dev";
export const devAudience = "connect-service-template";

/** Where `npm start` and `npm run token` keep the development key (gitignored with .data/). */
export const defaultDevKeyFile = "./.data/dev-auth-key.json";

/**
 * The development signing key: read from `file`, or created there on first use (an ES256
 * pair, the file readable by its owner only). Two processes creating it at once agree:
 * the file is created exclusively and the loser reads the winner's.
 */
export async function loadDevKey(file: string = defaultDevKeyFile): Promise<SigningKey> {
  try {
    return parseDevKey(await readFile(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = await newSigningKey(crypto.randomUUID());
  await mkdir(dirname(file), { recursive: true });
  try {
    const handle = await open(file, "wx", 0o600);
    await handle.writeFile(`${JSON.stringify(key, null, 2)}\n`);
    await handle.close();
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return parseDevKey(await readFile(file, "utf8"), file);
  }
}

function parseDevKey(text: string, file: string): SigningKey {
  try {
    const key = JSON.parse(text) as SigningKey;
    if (key.privateJwk?.kty && key.publicJwk?.kty) return key;
  } catch {
    // reported below
  }
  throw new Error(`${file} is not a development key; delete it and a new one is created`);
}

/** What the server trusts in development: tokens the development key signed. */
export async function devAuthSettings(file?: string): Promise<AuthSettings> {
  const { publicJwk } = await loadDevKey(file);
  return { issuer: devIssuer, audience: devAudience, keys: { jwks: keySetOf(publicJwk) } };
}

/** A development token for `subject` with `scopes`, valid for `expiresIn` (jose's syntax: "1h", "30m"). */
export async function mintDevToken(options: {
  subject: string;
  scopes: readonly string[];
  expiresIn?: string;
  file?: string;
}): Promise<string> {
  const sign = await tokenSigner((await loadDevKey(options.file)).privateJwk);
  return sign({
    subject: options.subject,
    scopes: options.scopes,
    issuer: devIssuer,
    audience: devAudience,
    expiresIn: options.expiresIn ?? "1h",
  });
}
