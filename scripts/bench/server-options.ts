/** The user every GetUser row asks for; the stock connect-node server answers it fixed. */
export interface UserFixture {
  id: string;
  email: string;
  displayName: string;
  createTimeMs: number;
}

/** Options of the bench server kinds (JSON on their command line). */
export interface ConnectNodeOptions {
  user: UserFixture;
}

export interface GrpcJsOptions {
  databasePath: string;
}

export interface TemplateOptions {
  databasePath: string;
  /** PostgreSQL instead of the SQLite file (DATABASE_URL). */
  databaseUrl?: string;
  /** "full": exactly what `npm start` serves; "empty": the same server without interceptors. */
  chain: "full" | "empty";
}
