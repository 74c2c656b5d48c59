// The wiring table: every service served, and how it is built from the database and
// clients of other services. Routes, health, reflection, test apps and the scaffolder
// (npm run new:service) all follow it; runtime entry points never change for a new service.

import type { DescService } from "@bufbuild/protobuf";
import { type Client, type ServiceImpl, type Transport, createClient } from "@connectrpc/connect";
import { OrderService } from "./gen/acme/order/v1/order_pb.ts";
import { UserService } from "./gen/acme/user/v1/user_pb.ts";
import { createOrderService } from "./services/order-service.ts";
import { createUserService } from "./services/user-service.ts";
import type { SqlDatabase } from "./store/sql-database.ts";
import { sqlOrderStore } from "./store/sql-order-store.ts";
import { sqlUserStore } from "./store/sql-user-store.ts";

// The one list of the services this template serves: createApp routes them, health and
// reflection name them, the test apps, the bench and the test tokens' scopes follow it.
// A runtime only provides the database and the transport to reach services over the
// network; adding a service (`npm run new:service`) adds one line here and no runtime code.

/** What a service is built from. */
export interface ServiceContext {
  /** The database of either runtime (node:sqlite or D1); a service builds its store from it. */
  db: SqlDatabase;
  /** A client of another service, called over the network as a separate deployment would be. */
  clientOf<S extends DescService>(service: S): Client<S>;
}

/** A service and how to build its implementation. */
export interface ServiceWiring<S extends DescService = DescService> {
  service: S;
  create(context: ServiceContext): ServiceImpl<S>;
}

/** The domain services, in the order they are routed. */
export const serviceTable: readonly ServiceWiring[] = [
  wire(UserService, ({ db }) => createUserService(sqlUserStore(db))),
  wire(OrderService, ({ db, clientOf }) => createOrderService({ store: sqlOrderStore(db), users: clientOf(UserService) })),
  // new:service adds its line above this one.
];

/** The context for `db`, with clients that go through `transport` (a runtime's choice). */
export function serviceContext(db: SqlDatabase, transport: Transport): ServiceContext {
  return { db, clientOf: (service) => createClient(service, transport) };
}

function wire<S extends DescService>(service: S, create: (context: ServiceContext) => ServiceImpl<S>): ServiceWiring {
  return { service, create } as ServiceWiring;
}
