import { type Client, Code, type ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { failure } from "./expect-failure.ts";
import { ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { isEmailTaken, isInvalidPageToken, isUserNotFound } from "../../src/gen/acme/user/v1/errors_reasons.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { ErrorInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import type { ServiceContract } from "./service-contracts.ts";

/** The fields named by an error's buf.validate.Violations detail, e.g. ["email"]. */
export function violatedFields(error: ConnectError): string[] {
  return error
    .findDetails(ViolationsSchema)
    .flatMap((violations) => violations.violations)
    .map((violation) => violation.field?.elements.map((element) => element.fieldName).join(".") ?? "");
}

/** A unique email, so contract runs can share one database. */
export function uniqueEmail(tag = "user"): string {
  return `${tag}-${crypto.randomUUID()}@example.com`;
}

/** Every user id, following next_page_token to the end. */
async function listAllIds(client: Client<typeof UserService>, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let pageToken = "";
  do {
    const page = await client.listUsers({ pageSize, pageToken });
    expect(page.users.length).toBeLessThanOrEqual(pageSize);
    ids.push(...page.users.map((user) => user.id));
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return ids;
}

/** Run over every transport of both runtimes (test/shared/service-contracts.ts). */
export const serviceContract: ServiceContract = { service: UserService, run: userServiceContract };

/**
 * The behaviour of UserService every runtime and protocol must show. Registers `it`
 * blocks; call it inside a `describe` with the transport under test.
 */
export function userServiceContract(transport: () => Transport): void {
  const client = () => createClient(UserService, transport());

  it("should create a user and get it back", async () => {
    const email = uniqueEmail("ada");
    const { user } = await client().createUser({ email, displayName: "Ada Lovelace" });
    expect(user?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user?.email).toBe(email);
    expect(user?.displayName).toBe("Ada Lovelace");
    expect(Number(user?.createTime?.seconds)).toBeGreaterThan(1_700_000_000);

    const got = await client().getUser({ id: user?.id ?? "" });
    expect(got.user).toEqual(user);
  });

  it("should answer a taken email with already_exists, case-insensitively", async () => {
    const email = uniqueEmail("taken");
    await client().createUser({ email, displayName: "First" });
    const error = await failure(client().createUser({ email: email.toUpperCase(), displayName: "Second" }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(isEmailTaken(error)).toBe(true);
    expect(error.findDetails(ErrorInfoSchema)[0]?.metadata).toEqual({ email: email.toUpperCase() });
  });

  it("should answer an unknown id with not_found", async () => {
    const id = crypto.randomUUID();
    const error = await failure(client().getUser({ id }));
    expect(error.code).toBe(Code.NotFound);
    expect(isUserNotFound(error)).toBe(true);
    expect(isEmailTaken(error)).toBe(false);
    expect(error.findDetails(ErrorInfoSchema)[0]).toMatchObject({ domain: "user.acme.dev", metadata: { userId: id } });
  });

  it("should name each invalid field in a buf.validate.Violations detail", async () => {
    const cases = [
      { call: () => client().createUser({ email: "", displayName: "X" }), fields: ["email"] },
      { call: () => client().createUser({ email: "not-an-email", displayName: "X" }), fields: ["email"] },
      { call: () => client().createUser({ email: uniqueEmail(), displayName: "   " }), fields: ["display_name"] },
      { call: () => client().createUser({ email: "nope", displayName: "x".repeat(65) }), fields: ["email", "display_name"] },
      { call: () => client().getUser({ id: "not-a-uuid" }), fields: ["id"] },
      { call: () => client().listUsers({ pageSize: 101 }), fields: ["page_size"] },
      { call: () => client().listUsers({ pageSize: -1 }), fields: ["page_size"] },
    ];
    for (const { call, fields } of cases) {
      const error = await failure(call());
      expect(error.code).toBe(Code.InvalidArgument);
      expect(violatedFields(error)).toEqual(fields);
      expect(error.rawMessage.startsWith(`${fields[0]}: `)).toBe(true);
    }
  });

  it("should answer a page token it did not issue with reason INVALID_PAGE_TOKEN", async () => {
    const error = await failure(client().listUsers({ pageToken: "garbage" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(isInvalidPageToken(error)).toBe(true);
    expect(error.rawMessage).toContain("page_token");
  });

  it("should page through every user once, in creation order", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { user } = await client().createUser({ email: uniqueEmail("page"), displayName: `P${i}` });
      created.push(user?.id ?? "");
    }
    const seen = await listAllIds(client(), 2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => created.includes(id))).toEqual(created);
  });

  it("should stream every user in creation order from ExportUsers", async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { user } = await client().createUser({ email: uniqueEmail("export"), displayName: `E${i}` });
      created.push(user?.id ?? "");
    }
    const exported: string[] = [];
    for await (const response of client().exportUsers({})) {
      exported.push(response.user?.id ?? "");
    }
    expect(exported).toEqual(await listAllIds(client(), 100));
    expect(exported.slice(-3)).toEqual(created);
  });
}
