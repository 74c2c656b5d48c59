import { type DescMethod, type DescService, fromBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Health, HealthListResponseSchema } from "../../src/gen/grpc/health/v1/health_pb.ts";
import { type HostileBody, hostileBodies } from "./hostile-bodies.ts";
import { type Framing, type WireRequest, type WireResponse, framesOf, statusOf } from "./wire-status.ts";
import { type Variant, carries, framingOf, goodRequest, requestOf, variantName } from "./wire-variants.ts";

/** A connection to the server under test; requests on it go one after another. */
export interface WireConnection {
  send(request: WireRequest): Promise<WireResponse>;
  close(): void;
}

/** One hostile request: a method, a variant, a body. */
export interface MatrixCase {
  method: DescMethod;
  variant: Variant;
  framing: Framing;
  hostile: HostileBody;
  request: WireRequest;
}

export interface MatrixOptions {
  /** Every service the server serves. */
  services: readonly DescService[];
  variants: readonly Variant[];
  /** Request compressions the server accepts (each gets a truncated and a corrupt message). */
  encodings: readonly string[];
  open(variant: Variant): WireConnection;
}

/**
 * Every method of every service, over every variant that can carry it, with every
 * hostile body that applies: generated from the service descriptors, so a new method
 * is in it without a line here.
 */
export function badInputCases({ services, variants, encodings }: Omit<MatrixOptions, "open">): MatrixCase[] {
  return services.flatMap((service) =>
    service.methods.flatMap((method) =>
      variants
        .filter((variant) => carries(variant, method))
        .flatMap((variant) => {
          const framing = framingOf(variant, method);
          return hostileBodies(method, variant.binary, framing, encodings).map((hostile) => ({
            method,
            variant,
            framing,
            hostile,
            request: requestOf(variant, method, hostile.body, hostile.headers),
          }));
        }),
    ),
  );
}

/** Stack frames, source paths, and the generic message of a hidden server fault. */
const leaks = [/\n\s*at /, /\bat \S+ \(/, /node_modules|file:\/\/|\/(src|test|dist)\/|\.(ts|js|mjs):\d/, /internal error|trace id/i];

/**
 * The bad-input matrix against one server: each hostile request gets its prescribed
 * code and message (never `internal`, nothing internal in it), then a good call on the
 * same connection still succeeds. A first test checks the matrix covers every service
 * the server serves (its grpc.health.v1 List), so a new service cannot be left out.
 */
export function badInputMatrix(label: string, options: MatrixOptions): void {
  const { services, variants, open } = options;
  const cases = badInputCases(options);
  describe(`${label}: ${cases.length} hostile requests (${services.length} services, ${variants.length} variants)`, () => {
    it("should cover every service the server serves", async () => {
      const grpcWeb: Variant = { protocol: "grpc-web", binary: true, http: variants[0]?.http };
      const connection = open(grpcWeb);
      try {
        const response = await connection.send(goodRequest(grpcWeb, Health.method.list, {}));
        const message = framesOf(response.body).find((frame) => frame.flags === 0);
        const served = Object.keys(fromBinary(HealthListResponseSchema, message?.data ?? new Uint8Array()).statuses);
        // Besides services, List names "" (the whole server) and "liveness".
        expect(served.filter((name) => name.includes(".")).sort()).toEqual(services.map((s) => s.typeName).sort());
      } finally {
        connection.close();
      }
    });

    for (const c of cases) {
      const name = `${c.method.parent.name}/${c.method.name} ${variantName(c.variant)}: ${c.hostile.name} -> ${Code[c.hostile.code]}`;
      it(name, async () => {
        const connection = open(c.variant);
        try {
          const status = statusOf(c.framing, await connection.send(c.request));
          expect({ code: Code[status.code] ?? status.code, message: status.message }).toEqual({
            code: Code[c.hostile.code],
            message: expect.stringMatching(c.hostile.message),
          });
          for (const leak of leaks) expect(status.message).not.toMatch(leak);
          const check = Health.method.check;
          const good = statusOf(framingOf(c.variant, check), await connection.send(goodRequest(c.variant, check, { service: "" })));
          expect(good, "a good call after it").toEqual({ code: 0, message: "" });
        } finally {
          connection.close();
        }
      });
    }
  });
}
