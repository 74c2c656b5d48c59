import { Code, createClient, type Transport } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { isOrderNotFound, isUserNotFound } from "../../src/gen/acme/order/v1/errors_reasons.ts";
import { OrderService } from "../../src/gen/acme/order/v1/order_pb.ts";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { ErrorInfoSchema } from "../../src/gen/google/rpc/error_details_pb.ts";
import { uniqueEmail, violatedFields } from "./user-service-contract.ts";
import { failure } from "./expect-failure.ts";
import type { ServiceContract } from "./service-contracts.ts";

/** Run over every transport of both runtimes (test/shared/service-contracts.ts). */
export const serviceContract: ServiceContract = { service: OrderService, run: orderServiceContract };

/** The behaviour of OrderService (which calls UserService over the network). */
export function orderServiceContract(transport: () => Transport): void {
  const orders = () => createClient(OrderService, transport());
  const users = () => createClient(UserService, transport());

  it("should create an order for an existing user and get it back", async () => {
    const { user } = await users().createUser({ email: uniqueEmail("buyer"), displayName: "Buyer" });
    const items = [
      { sku: "BOOK-1", quantity: 2 },
      { sku: "PEN", quantity: 1 },
    ];
    const { order } = await orders().createOrder({ userId: user?.id ?? "", items });
    expect(order?.userId).toBe(user?.id);
    expect(order?.items.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(items);
    const got = await orders().getOrder({ id: order?.id ?? "" });
    expect(got.order).toEqual(order);
  });

  it("should refuse an order of an unknown user with failed_precondition, reason USER_NOT_FOUND", async () => {
    const userId = crypto.randomUUID();
    const error = await failure(orders().createOrder({ userId, items: [{ sku: "BOOK-1", quantity: 1 }] }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(isUserNotFound(error)).toBe(true);
    expect(error.findDetails(ErrorInfoSchema)[0]).toMatchObject({
      reason: "USER_NOT_FOUND",
      domain: "order.acme.dev",
      metadata: { userId },
    });
  });

  it("should answer an unknown order id with not_found, reason ORDER_NOT_FOUND", async () => {
    const error = await failure(orders().getOrder({ id: crypto.randomUUID() }));
    expect(error.code).toBe(Code.NotFound);
    expect(isOrderNotFound(error)).toBe(true);
  });

  it("should validate items before calling UserService", async () => {
    const userId = crypto.randomUUID();
    const cases = [
      { items: [], fields: ["items"] },
      { items: [{ sku: "BOOK-1", quantity: 0 }], fields: ["items.quantity"] },
      { items: [{ sku: "lower case", quantity: 1 }], fields: ["items.sku"] },
    ];
    for (const { items, fields } of cases) {
      const error = await failure(orders().createOrder({ userId, items }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(violatedFields(error)).toEqual(fields);
    }
    const badUser = await failure(orders().createOrder({ userId: "nope", items: [{ sku: "A", quantity: 1 }] }));
    expect(violatedFields(badUser)).toEqual(["user_id"]);
  });
}
