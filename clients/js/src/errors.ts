/**
 * Errors of a LiveIm room, as typed objects: the stable code the server sent (docs/protocol.md, "Errors") and, for
 * `rate_limited`, the `retryAfterMs` it sent. Codes the client produces itself (the connection, not the server,
 * decided) are listed in {@link ClientErrorCodes}.
 */

/** The server's stable error codes (docs/protocol.md). Only ever added to: treat an unknown code like `unavailable`. */
export const ServerErrorCodes = [
  "invalid_room",
  "invalid_argument",
  "not_joined",
  "unauthorized",
  "forbidden",
  "rate_limited",
  "muted",
  "banned",
  "unavailable",
  "unknown_method",
  "slow_consumer",
  "flood",
  "invalid_frame",
] as const;

/**
 * Codes of this client: `connection_lost` (the call could not reach the server, or the connection dropped before the
 * answer), `closed` (the room was closed by the app), `protocol` (the server sent something this client cannot read),
 * `unknown` (a server error without a code).
 */
export const ClientErrorCodes = ["connection_lost", "closed", "protocol", "unknown"] as const;

export type ServerErrorCode = (typeof ServerErrorCodes)[number];
export type ClientErrorCode = (typeof ClientErrorCodes)[number];

/** A code of either list, or a code a newer server added (a string of `[a-z_]`). */
export type ErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

// Codes after which the same call can succeed later without the caller changing anything.
const transientCodes = new Set<string>(["rate_limited", "unavailable", "connection_lost", "not_joined", "slow_consumer", "flood"]);

/** A failed call or a closed room: `code` is the stable code, `retryAfterMs` the server's hint when it sent one. */
export class LiveImError extends Error {
  /** The stable code, e.g. `rate_limited`. */
  readonly code: ErrorCode;

  /** For `rate_limited` (and HTTP 503/429 answers with `Retry-After`): when a retry will be accepted. */
  readonly retryAfterMs: number | undefined;

  /** The HTTP status, for errors of an HTTP endpoint (assignment, room info, replay). */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfterMs?: number | undefined; status?: number | undefined; cause?: unknown }) {
    super(message);
    this.name = "LiveImError";
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
    this.status = options?.status;
    if (options && "cause" in options) {
      (this as { cause?: unknown }).cause = options.cause;
    }
  }

  /** True when retrying the same call later can succeed (rate limits, outages, a dropped connection). */
  get transient(): boolean {
    return transientCodes.has(this.code) || !isKnownCode(this.code);
  }
}

function isKnownCode(code: string): boolean {
  return (ServerErrorCodes as readonly string[]).includes(code) || (ClientErrorCodes as readonly string[]).includes(code);
}

// ASP.NET Core wraps a hub's HubException text; the gateway unwraps it, but a proxy or an older gateway may not.
const hubExceptionMarker = " HubException: ";
const closePrefix = "Server returned an error on close: ";
const codePattern = /^([a-z_]{1,64}):/;
const retryPattern = /retryAfterMs=(\d{1,12})(?!\d)/g;

/**
 * Reads a server error text, `"<code>: <detail>"` with ` retryAfterMs=<n>` for `rate_limited`, as the hub sends it
 * in a completion, in a close message, or in an HTTP 503/429 body. Null when the text carries no code (then the
 * error was not the server's: a transport failure).
 */
export function parseServerError(text: unknown): LiveImError | null {
  if (typeof text !== "string") {
    return null;
  }

  let message = text.length > 4096 ? text.slice(0, 4096) : text;
  if (message.startsWith(closePrefix)) {
    message = message.slice(closePrefix.length);
  }

  const marker = message.indexOf(hubExceptionMarker);
  if (marker >= 0 && codePattern.test(message.slice(marker + hubExceptionMarker.length))) {
    message = message.slice(marker + hubExceptionMarker.length);
  }

  const match = codePattern.exec(message);
  if (!match) {
    return null;
  }

  // The last hint wins: a detail may quote user text, the hint is appended after it.
  let retryAfterMs: number | undefined;
  for (const m of message.matchAll(retryPattern)) {
    retryAfterMs = Number(m[1]);
  }

  return new LiveImError(match[1]!, message, { retryAfterMs });
}

/** Any rejection of a hub call or connection as a {@link LiveImError}: the server's coded text, or `connection_lost`. */
export function toLiveImError(error: unknown): LiveImError {
  if (error instanceof LiveImError) {
    return error;
  }

  const text = error instanceof Error ? error.message : typeof error === "string" ? error : String(error);
  return parseServerError(text) ?? new LiveImError("connection_lost", text || "the connection failed", { cause: error });
}
