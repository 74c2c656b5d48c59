/** A stored order. */
export interface OrderRecord {
  id: string;
  userId: string;
  items: { sku: string; quantity: number }[];
  createTimeMs: number;
}

/** Persistence port of the order service; `signal` as in UserStore. */
export interface OrderStore {
  createOrder(order: OrderRecord, signal?: AbortSignal): Promise<void>;
  getOrder(id: string, signal?: AbortSignal): Promise<OrderRecord | undefined>;
}
