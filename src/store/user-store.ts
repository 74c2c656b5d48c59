/** A stored user. `position` orders users by creation and is the paging cursor. */
export interface UserRecord {
  position: number;
  id: string;
  email: string;
  displayName: string;
  createTimeMs: number;
}

export type NewUser = Omit<UserRecord, "position">;

/**
 * Persistence port of the user service. `signal` is the RPC's: once it aborts
 * (deadline, cancellation) no further statement runs.
 */
export interface UserStore {
  /** Inserts a user; resolves to undefined when the email is already taken. */
  createUser(user: NewUser, signal?: AbortSignal): Promise<UserRecord | undefined>;
  getUser(id: string, signal?: AbortSignal): Promise<UserRecord | undefined>;
  /** Users created after `afterPosition` (0 for the start), oldest first. */
  listUsers(afterPosition: number, limit: number, signal?: AbortSignal): Promise<UserRecord[]>;
}
