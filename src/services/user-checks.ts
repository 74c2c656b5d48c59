import { Code, ConnectError } from "@connectrpc/connect";

// Plain request checks. Declarative protovalidate rules in the proto replace these.

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const maxEmailLength = 254;
const maxDisplayNameLength = 64;

/** Default and maximum ListUsers page size. */
export const defaultPageSize = 50;
export const maxPageSize = 100;

export function checkEmail(email: string): void {
  if (email === "") {
    throw invalid("email: must not be empty");
  }
  if (email.length > maxEmailLength || !emailPattern.test(email)) {
    throw invalid(`email: must be a valid email address, got "${email.slice(0, maxEmailLength)}"`);
  }
}

export function checkDisplayName(displayName: string): void {
  if (displayName.trim() === "") {
    throw invalid("display_name: must not be empty");
  }
  if ([...displayName].length > maxDisplayNameLength) {
    throw invalid(`display_name: must be at most ${maxDisplayNameLength} characters`);
  }
}

export function checkUserId(id: string): void {
  if (id === "") {
    throw invalid("id: must not be empty");
  }
}

/** Resolves page_size 0 to the default; rejects values outside 0..maxPageSize. */
export function resolvePageSize(pageSize: number): number {
  if (pageSize < 0 || pageSize > maxPageSize) {
    throw invalid(`page_size: must be between 0 and ${maxPageSize}, got ${pageSize}`);
  }
  return pageSize === 0 ? defaultPageSize : pageSize;
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
