import { LiveImError, parseServerError } from "./errors.js";
import { checkEvent, type RoomEvent } from "./events.js";

/** The `fetch` this client calls (the global one unless an app or a test passes another). */
export type FetchLike = (input: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<ResponseLike>;

/** The part of a `Response` this client reads. */
export interface ResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Where a client should connect: `GET /api/gateways/assign`'s answer. */
export interface GatewayAssignment {
  /** The gateway's base URL; the hub is at `/hubs/room` below it. */
  url: string;
  gatewayId: string;
}

/** The room as every viewer sees it: `GET /api/rooms/{roomId}`. */
export interface RoomInfo {
  roomId: string;
  online: number;
  gateways: number;
  seq: number;
  live: boolean;
  /** The room's stream clock at the answer, or null when no streamer reports one. */
  stream?: { epoch: number; offsetMs: number; serverTime: number } | null;
}

/** Resolves `path` against RoomService's base URL (which may itself carry a path prefix). */
export function serviceUrl(base: string, path: string): string {
  return new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : base + "/").toString();
}

// Bodies of the endpoints are small (an assignment is ~60 bytes, a replay page at most ~1 MB): a larger answer is a
// proxy's error page or an attack, and is refused before JSON.parse allocates for it.
const maxBodyChars = 8 * 1024 * 1024;

/** GETs a JSON document; an error answer becomes a {@link LiveImError} with the server's code and `Retry-After`. */
export async function getJson(fetchFn: FetchLike, url: string, signal?: AbortSignal): Promise<unknown> {
  let response: ResponseLike;
  try {
    response = await fetchFn(url, { signal: signal as AbortSignal, headers: { accept: "application/json" } });
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }

    throw new LiveImError("connection_lost", `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  const body = await response.text();
  if (!response.ok) {
    throw httpError(response, body);
  }

  if (body.length > maxBodyChars) {
    throw new LiveImError("protocol", `GET ${url} answered ${body.length} characters, more than ${maxBodyChars}`);
  }

  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new LiveImError("protocol", `GET ${url} answered ${response.status} with a body that is not JSON`);
  }
}

function httpError(response: ResponseLike, body: string): LiveImError {
  const retryAfterSeconds = Number(response.headers.get("retry-after"));
  const headerRetry = Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? Math.min(retryAfterSeconds, 3600) * 1000 : undefined;
  let code = response.status === 503 ? "unavailable" : response.status === 429 ? "rate_limited" : "unknown";
  let message = `HTTP ${response.status}`;
  let bodyRetry: number | undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string") {
      const { error, message: text } = parsed as { error: string; message?: unknown };
      code = /^[a-z_]{1,64}$/.test(error) ? error : code;
      message = typeof text === "string" ? `${error}: ${text}` : error;
      bodyRetry = parseServerError(message)?.retryAfterMs;
    }
  } catch {
    // Not our JSON (a proxy's page, a text/plain refusal): the code from the text, else from the status.
    const coded = parseServerError(body);
    if (coded) {
      code = coded.code;
      message = coded.message;
      bodyRetry = coded.retryAfterMs;
    }
  }

  return new LiveImError(code, message, { status: response.status, retryAfterMs: bodyRetry ?? headerRetry });
}

/**
 * Asks RoomService which gateway to use for `roomId`, passing over the gateway ids in `avoid` (at most 8: gateways
 * this client just failed to reach) while RoomService has others.
 */
export async function assignGateway(
  fetchFn: FetchLike, base: string, roomId: string | null, signal?: AbortSignal, avoid: readonly string[] = [],
): Promise<GatewayAssignment> {
  const params = [
    ...(roomId === null ? [] : ["roomId=" + encodeURIComponent(roomId)]),
    ...avoid.filter((id) => id.length > 0 && id.length <= 200).slice(0, 8).map((id) => "avoid=" + encodeURIComponent(id)),
  ];
  const query = params.length === 0 ? "" : "?" + params.join("&");
  const answer = await getJson(fetchFn, serviceUrl(base, "/api/gateways/assign" + query), signal);
  if (typeof answer !== "object" || answer === null) {
    throw new LiveImError("protocol", "the assignment answer is not an object");
  }

  const { url, gatewayId } = answer as { url?: unknown; gatewayId?: unknown };
  if (typeof url !== "string" || !/^https?:\/\//i.test(url) || typeof gatewayId !== "string") {
    throw new LiveImError("protocol", "the assignment answer has no http(s) url and gatewayId");
  }

  return { url, gatewayId };
}

/** Reads `GET /api/rooms/{roomId}`. */
export async function roomInfo(fetchFn: FetchLike, base: string, roomId: string, signal?: AbortSignal): Promise<RoomInfo> {
  const answer = await getJson(fetchFn, serviceUrl(base, "/api/rooms/" + encodeURIComponent(roomId)), signal);
  if (typeof answer !== "object" || answer === null || typeof (answer as RoomInfo).online !== "number") {
    throw new LiveImError("protocol", "the room info answer has no online count");
  }

  return answer as RoomInfo;
}

/** Options of {@link replaySource}. */
export interface ReplayOptions {
  /** Events per request, 1..1000 (default 1000: the server's largest page is the cheapest per event). */
  pageSize?: number;
  /** Most events one fetch returns before it fails (default 50,000, about 15 MB): the aligner reports it and carries on. */
  maxEvents?: number;
  fetch?: FetchLike;
}

/** The end of an epoch in a replay window (the aligner's "to the end of the epoch"). */
export const endOfEpoch = Number.MAX_SAFE_INTEGER;

/**
 * A replay source for the {@link PlaybackAligner}: all events of `epoch` with `streamTs` in [fromMs, toMs] from
 * `GET /api/rooms/{roomId}/replay`, following the cursor until the last page (`toMs` = {@link endOfEpoch}: omitted).
 */
export function replaySource(base: string, roomId: string, options?: ReplayOptions) {
  const pageSize = Math.trunc(Math.min(1000, Math.max(1, options?.pageSize ?? 1000)));
  const maxEvents = Math.max(1, options?.maxEvents ?? 50_000);
  const fetchFn = options?.fetch ?? defaultFetch();
  return async (epoch: number, fromMs: number, toMs: number, signal?: AbortSignal): Promise<RoomEvent[]> => {
    const events: RoomEvent[] = [];
    let cursor: string | null = null;
    do {
      // The endpoint takes whole numbers >= 0 only: a window starting before 0 starts at 0.
      let query = `epoch=${epoch}&fromMs=${Math.max(0, Math.floor(fromMs))}&limit=${pageSize}`;
      if (toMs < endOfEpoch) {
        query += `&toMs=${Math.max(0, Math.floor(toMs))}`;
      }

      if (cursor !== null) {
        query += "&cursor=" + encodeURIComponent(cursor);
      }

      const page = await getJson(fetchFn, serviceUrl(base, `/api/rooms/${encodeURIComponent(roomId)}/replay?${query}`), signal);
      const { events: pageEvents, nextCursor } = (page ?? {}) as { events?: unknown; nextCursor?: unknown };
      if (!Array.isArray(pageEvents) || !(nextCursor === null || typeof nextCursor === "string")) {
        throw new LiveImError("protocol", "a replay page without events and nextCursor");
      }

      for (const raw of pageEvents) {
        const checked = checkEvent(raw, roomId);
        if (typeof checked !== "string") {
          events.push(checked);
        }
      }

      if (events.length > maxEvents) {
        throw new LiveImError("protocol", `replay window (${epoch}, ${fromMs}..${toMs}) holds more than ${maxEvents} events`);
      }

      cursor = nextCursor;
    } while (cursor !== null);

    return events;
  };
}

/** The global fetch, bound (some browsers refuse a fetch called with another `this`). */
export function defaultFetch(): FetchLike {
  if (typeof globalThis.fetch !== "function") {
    throw new Error("no global fetch: pass options.fetch");
  }

  return globalThis.fetch.bind(globalThis) as unknown as FetchLike;
}
