import { invalidPageToken } from "../gen/acme/user/v1/errors_reasons.ts";

const prefix = "u1:";

/** Opaque token for the page that starts after the user at `position`. */
export function encodePageToken(position: number): string {
  return btoa(prefix + position.toString(10)).replace(/=+$/, "");
}

/** The position a page token continues after; 0 for the empty (first-page) token. */
export function decodePageToken(token: string): number {
  if (token === "") {
    return 0;
  }
  let decoded = "";
  try {
    decoded = atob(token);
  } catch {
    // Not base64: falls through to the error below.
  }
  const position = decoded.startsWith(prefix) ? Number(decoded.slice(prefix.length)) : NaN;
  if (!Number.isSafeInteger(position) || position < 1) {
    throw invalidPageToken(
      {},
      "page_token: invalid page token; pass the next_page_token of a previous ListUsers response, or leave it empty for the first page",
    );
  }
  return position;
}
