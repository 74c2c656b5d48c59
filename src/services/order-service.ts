import type { Client, ServiceImpl } from "@connectrpc/connect";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { forwardedCredentials } from "../auth/forward-credentials.ts";
import { configKey } from "../config/config-context.ts";
import { orderCreationDisabled, orderNotFound, userNotFound } from "../gen/acme/order/v1/errors_reasons.ts";
import type { OrderService } from "../gen/acme/order/v1/order_pb.ts";
import { isUserNotFound } from "../gen/acme/user/v1/errors_reasons.ts";
import type { UserService } from "../gen/acme/user/v1/user_pb.ts";
import { outgoingContextValues } from "../telemetry/span-context.ts";
import type { OrderRecord, OrderStore } from "../store/order-store.ts";

export interface OrderServiceDeps {
  store: OrderStore;
  /** A client of UserService over the network (a runtime decides where it points). */
  users: Client<typeof UserService>;
}

/** Implements acme.order.v1.OrderService; requests arrive validated. */
export function createOrderService({ store, users }: OrderServiceDeps): ServiceImpl<typeof OrderService> {
  return {
    async createOrder(req, context) {
      if (context.values.get(configKey).orders?.creationEnabled === false) {
        throw orderCreationDisabled({}, "order creation is turned off; try again later or contact support");
      }
      try {
        // The incoming call's deadline and cancellation bound the outgoing one, its
        // trace continues in it, and it is made as the caller (their token).
        await users.getUser(
          { id: req.userId },
          {
            signal: context.signal,
            timeoutMs: context.timeoutMs(),
            contextValues: outgoingContextValues(context),
            headers: forwardedCredentials(context),
          },
        );
      } catch (error) {
        if (isUserNotFound(error)) {
          throw userNotFound({ userId: req.userId }, `user "${req.userId}" does not exist`);
        }
        throw error;
      }
      const order: OrderRecord = {
        id: crypto.randomUUID(),
        userId: req.userId,
        items: req.items.map(({ sku, quantity }) => ({ sku, quantity })),
        createTimeMs: Date.now(),
      };
      await store.createOrder(order, context.signal);
      return { order: toOrder(order) };
    },

    async getOrder(req, context) {
      const order = await store.getOrder(req.id, context.signal);
      if (!order) {
        throw orderNotFound({ orderId: req.id }, `order "${req.id}" not found`);
      }
      return { order: toOrder(order) };
    },
  };
}

function toOrder(order: OrderRecord) {
  return {
    id: order.id,
    userId: order.userId,
    items: order.items,
    createTime: timestampFromMs(order.createTimeMs),
  };
}
