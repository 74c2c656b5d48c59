/** A stored order. */
export interface OrderRecord {
  id: string;
  userId: string;
  items: { sku: string; quantity: number }[];
  createTimeMs: number;
}

/** Persistence port of the order service. */
export interface OrderStore {
  createOrder(order: OrderRecord): Promise<void>;
  getOrder(id: string): Promise<OrderRecord | undefined>;
}
