import { describe, expect, it } from "vitest";
import { envelope } from "../shared/bad-input-contract.ts";
import { workerFetch, workerOrigin } from "./worker-fetch.ts";

describe("native gRPC on the Worker", () => {
  for (const contentType of ["application/grpc", "application/grpc+proto", "application/grpc+json"]) {
    it(`should answer ${contentType} at once with UNIMPLEMENTED in a trailers-only response`, async () => {
      const response = await workerFetch(`${workerOrigin}/acme.user.v1.UserService/GetUser`, {
        method: "POST",
        headers: { "content-type": contentType, te: "trailers" },
        body: envelope(new Uint8Array()),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("grpc-status")).toBe("12");
      expect(decodeURIComponent(response.headers.get("grpc-message") ?? "")).toContain("use the Connect or gRPC-Web protocol");
      expect(await response.arrayBuffer()).toHaveProperty("byteLength", 0);
    });
  }

  it("should still serve gRPC-Web, whose content type starts alike", async () => {
    const response = await workerFetch(`${workerOrigin}/acme.user.v1.UserService/ListUsers`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: envelope(new Uint8Array()),
    });
    expect(response.headers.get("grpc-status")).not.toBe("12");
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
});
