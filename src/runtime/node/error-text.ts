/** An unexpected error as the server's own log lines quote it: its stack (which begins with its message), else its text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
