import { backoffDelay, clamp, type BackoffOptions } from "./backoff.js";
import { LiveImError, parseServerError, toLiveImError } from "./errors.js";
import { checkEvent, isReliableLane, type RoomEvent } from "./events.js";
import { assignGateway, defaultFetch, roomInfo, serviceUrl, type FetchLike, type GatewayAssignment } from "./http.js";
import { signalRHubFactory, type HubConnectionLike, type HubFactory, type Logger } from "./hub.js";
import { RecentIds } from "./recentIds.js";
import { SeqWindow } from "./seqWindow.js";

/** How a room is opened. */
export interface RoomOptions {
  /** RoomService's base URL: gateway assignment (`GET /api/gateways/assign`) and room info. */
  serviceUrl: string;
  /** The room to join (`^[A-Za-z0-9_-]{1,64}$`). */
  roomId: string;
  /** The user's token (a JWT from your identity service), a function that returns a fresh one per connection, or null for an anonymous viewer. */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** Connect to this gateway first instead of asking for one (every later connection goes through assignment). */
  gatewayUrl?: string;
  /** Reconnect waits (jittered, see {@link backoffDelay}). */
  backoff?: BackoffOptions;
  /** How long a gap in the reliable seqs may stay open (a late or reordered gift fills it) before it is repaired. Default 1,000 ms. */
  gapRepairDelayMs?: number;
  /** How often batched likes go out. Default 500 ms (the gateway allows 10 like calls a second per connection). */
  likeFlushMs?: number;
  /** Read `GET /api/rooms/{roomId}` after each join (online count and the stream clock before any event carries them). Default false. */
  fetchRoomInfo?: boolean;
  /**
   * With `fetchRoomInfo`: while the room has no stream clock (nobody streams yet), read room info again this often
   * (ms). Default 0: only after joins. Each poll is an HTTP request to RoomService per client: keep it off, or long,
   * in rooms with a large audience (there the first stamped event brings the clock anyway).
   */
  roomInfoPollMs?: number;
  /**
   * How long a gateway whose connection broke (or could not be made) is not taken again while assignment offers it:
   * after a crash the registry hands it out until its last load report expires. Default 6,000 ms, the gateways'
   * default report TTL (`Registry:TtlMs`); match yours.
   */
  failedGatewayAvoidMs?: number;
  /** Ids remembered to hand each event over once. Default 20,000. */
  rememberedIds?: number;
  /** Where the room and SignalR log to. Default: nowhere. */
  logger?: Logger;
  fetch?: FetchLike;
  hubFactory?: HubFactory;
  /** A number in [0, 1) (jitter); default Math.random. */
  random?: () => number;
}

/**
 * `connecting` (the first connection and join), `connected` (joined; events flow), `reconnecting` (the connection
 * dropped or the gateway asked the client to move: a new one is being made; while moving off a draining gateway the
 * old connection still delivers), `closed` (by {@link LiveImRoom.close}, or for good: banned, a room id refused).
 */
export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

/** A state change and why. */
export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** `draining` (the gateway's reconnect hint), `dropped`, a close code (`slow_consumer`, `flood`, `banned`, ...), or `closed`. */
  reason: string | null;
  /** The gateway connected to (on `connected`). */
  gatewayUrl: string | null;
  /** What ended the room (on `closed` for good). */
  error: LiveImError | null;
}

/** The streamer's stream clock as this client knows it: stream ms = server ms − `offsetMs`, in `epoch`. */
export interface StreamClock {
  epoch: number;
  offsetMs: number;
}

/** What the room looks like now. */
export interface RoomState {
  /** Members over all gateways (the last `online` event or join answer); null before the first. */
  online: number | null;
  /** Likes this client has seen since it joined (the room sends per-tick sums, not a room total). */
  likes: number;
  /** The room's stream clock (from the events' stamps, or room info); null while nobody streams. */
  streamClock: StreamClock | null;
  /** Slow mode: one chat line per viewer per this many seconds (0 = off), as last announced. */
  slowModeSeconds: number;
  /** The last contiguous reliable seq (what a resume asks after). */
  lastSeq: number;
  gatewayUrl: string | null;
  gatewayId: string | null;
}

/** A gap in the reliable seqs: being repaired (`recovered` null), or lost for good (`false`, history no longer holds it). */
export interface GapNotice {
  fromSeq: number;
  toSeq: number;
  recovered: boolean | null;
}

/** Counters since the room was created. */
export interface RoomStats {
  /** Events dropped because they did not read as room events. */
  malformed: number;
  /** Events dropped because they were handed over already (by id or seq). */
  duplicates: number;
  /** Connections made after the first. */
  reconnects: number;
  /** Moves off a draining gateway. */
  moves: number;
  /** Rejoins on the same connection to repair a gap. */
  gapRepairs: number;
}

/** JoinRoom's answer. */
export interface JoinResult {
  roomId: string;
  seq: number;
  recovered: boolean;
  online: number;
  serverTime: number;
  /** The gateway's id (what the room names in assignment's `avoid=` if it loses this connection). */
  gatewayId?: string;
}

/** SendChat's answer: `ok`, or `sampled` (id 0: the room was over its chat budget and the line was not delivered). */
export interface ChatResult {
  id: number;
  status: "ok" | "sampled" | (string & {});
}

/** SendGift's answer (`duplicate`: an earlier attempt with the same clientMsgId had got through). */
export interface GiftResult {
  id: number;
  seq: number;
  status: "ok" | "duplicate" | (string & {});
  clientMsgId: string;
}

/** A moderation call's answer: the action's `system` event. */
export interface ModerationResult {
  id: number;
  seq: number;
}

/** ReportStreamClock's answer. */
export interface ClockResult {
  epoch: number;
  offsetMs: number;
  newEpoch: boolean;
}

interface Listeners {
  events: RoomEvent[];
  state: StateChange;
  roomState: RoomState;
  error: LiveImError;
  gap: GapNotice;
}

// Codes after which connecting again cannot help: the app must change something (room id, token).
const fatalJoinCodes = new Set(["invalid_room", "invalid_argument", "banned", "forbidden", "unauthorized"]);
const roomIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const giftIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A joined LiveIm room that keeps itself alive: it asks RoomService for a gateway, connects over WebSockets, joins,
 * and after any drop connects again (through assignment, with jittered backoff) and resumes with `lastSeq`; it moves
 * when a draining gateway sends `reconnect` (after the delay it was given, keeping the old connection until the new
 * one has joined); it repairs a gap in the reliable seqs; and it hands every event to the app once.
 */
export class LiveImRoom {
  readonly roomId: string;
  private readonly options: RoomOptions;
  private readonly fetchFn: FetchLike;
  private readonly hubFactory: HubFactory;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly listeners: { [K in keyof Listeners]: Set<(arg: Listeners[K]) => void> } = {
    events: new Set(), state: new Set(), roomState: new Set(), error: new Set(), gap: new Set(),
  };

  private stateValue: ConnectionState = "idle";
  private startPromise: Promise<void> | null = null;
  private closed = false;

  // The connection events and calls go to; `live` holds every connection not yet stopped (during a move: the old and
  // the new), all of whose events are taken (duplicates dropped).
  private hub: HubConnectionLike | null = null;
  private gateway: GatewayAssignment | null = null;
  private readonly live = new Set<HubConnectionLike>();
  private joined = false;
  private everJoined = false;
  private moving = false;
  private wake: (() => void) | null = null;
  private readonly avoid = new Map<string, { until: number; gatewayId: string }>(); // by gateway URL

  private readonly seqs = new SeqWindow();
  private floor = 0;
  private readonly ids: RecentIds;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private repairPoint = -1;
  private repairAttempts = 0;
  private repairing = false;

  private roomInfoTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingLikes = 0;
  private likeTimer: ReturnType<typeof setTimeout> | null = null;
  private sendWaiters: { resolve: () => void; reject: (e: LiveImError) => void }[] = [];

  private skewMs = 0;
  private readonly roomStateValue: RoomState = { online: null, likes: 0, streamClock: null, slowModeSeconds: 0, lastSeq: 0, gatewayUrl: null, gatewayId: null };
  private readonly statsValue: RoomStats = { malformed: 0, duplicates: 0, reconnects: 0, moves: 0, gapRepairs: 0 };

  constructor(options: RoomOptions) {
    if (typeof options?.roomId !== "string" || !roomIdPattern.test(options.roomId)) {
      throw new LiveImError("invalid_room", "invalid_room: roomId must match ^[A-Za-z0-9_-]{1,64}$");
    }

    if (typeof options.serviceUrl !== "string" || !/^https?:\/\//i.test(options.serviceUrl)) {
      throw new LiveImError("invalid_argument", "invalid_argument: serviceUrl must be RoomService's http(s) URL");
    }

    this.options = options;
    this.roomId = options.roomId;
    this.fetchFn = options.fetch ?? defaultFetch();
    this.hubFactory = options.hubFactory ?? signalRHubFactory;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? (() => {});
    this.ids = new RecentIds(Math.max(1, options.rememberedIds ?? 20_000));
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.stateValue;
  }

  /** A snapshot of the room state. */
  get roomState(): RoomState {
    return { ...this.roomStateValue, streamClock: this.roomStateValue.streamClock && { ...this.roomStateValue.streamClock }, lastSeq: this.lastSeq };
  }

  /** A snapshot of the counters. */
  get stats(): RoomStats {
    return { ...this.statsValue };
  }

  /** The reliable seq to resume after: the highest one up to which nothing is missing since the join. */
  get lastSeq(): number {
    return this.seqs.contiguousFrom(this.floor);
  }

  /** Server time now, ms since the Unix epoch (local clock corrected by the offset measured at the last join). */
  serverNow(): number {
    return Date.now() + this.skewMs;
  }

  /** Where the live edge of the stream is now, or null while the room has no stream clock. */
  liveStreamPosition(): { epoch: number; streamMs: number } | null {
    const clock = this.roomStateValue.streamClock;
    return clock === null ? null : { epoch: clock.epoch, streamMs: this.serverNow() - clock.offsetMs };
  }

  /** Subscribes to `events` (each batch, in order, each event once), `state`, `roomState`, `error` (non-fatal) or `gap`. Returns an unsubscribe function. */
  on<K extends keyof Listeners>(name: K, handler: (arg: Listeners[K]) => void): () => void {
    const set = this.listeners[name] as Set<(arg: Listeners[K]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  /**
   * Connects and joins. Resolves after the first join; failures that can pass (no gateway, a refused connection, a
   * server closing mid-join) are retried with backoff meanwhile; rejects when joining cannot succeed (`invalid_room`,
   * `banned`, ...) or the room is closed. Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.startPromise === null) {
      this.startPromise = this.connectLoop("connecting", null, 0);
    }

    return this.startPromise;
  }

  /** Stops: pending likes go out if the connection allows, then every connection is closed. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }

    if (this.joined && this.hub !== null && this.pendingLikes > 0) {
      await this.flushLikes().catch(() => {});
    }

    this.shutDown(null);
  }

  /** Sends a chat line. Rejects with a {@link LiveImError} (`rate_limited` with `retryAfterMs`, `muted`, ...). */
  async sendChat(text: string): Promise<ChatResult> {
    if (typeof text !== "string") {
      throw new LiveImError("invalid_argument", "invalid_argument: text must be a string");
    }

    return this.call<ChatResult>("SendChat", [text], (r) => typeof r.id === "number" && typeof r.status === "string");
  }

  /**
   * Sends a gift. The clientMsgId is generated (or yours) and every retry carries the same one, so the gift is
   * delivered once however often it is retried: through `rate_limited` (after `retryAfterMs`), `unavailable`, a
   * dropped connection (on the next one). Resolves with the server's answer; rejects only when retrying cannot help
   * (`banned`, `invalid_argument`, ...), the room closes, or `signal` aborts.
   */
  async sendGift(giftId: string, count: number, options?: { clientMsgId?: string; signal?: AbortSignal }): Promise<GiftResult> {
    if (typeof giftId !== "string" || !giftIdPattern.test(giftId)) {
      throw new LiveImError("invalid_argument", "invalid_argument: giftId must match ^[A-Za-z0-9_-]{1,64}$");
    }

    if (!Number.isSafeInteger(count) || count < 1 || count > 10_000) {
      throw new LiveImError("invalid_argument", "invalid_argument: count must be a whole number from 1 to 10000");
    }

    const clientMsgId = options?.clientMsgId ?? newClientMsgId(this.random);
    if (!giftIdPattern.test(clientMsgId)) {
      throw new LiveImError("invalid_argument", "invalid_argument: clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");
    }

    for (let attempt = 0; ; attempt++) {
      if (options?.signal?.aborted) {
        throw new LiveImError("closed", "the gift was abandoned (signal aborted) before an answer; retrying with the same clientMsgId is safe");
      }

      try {
        const result = await this.call<Omit<GiftResult, "clientMsgId">>(
          "SendGift", [giftId, count, clientMsgId], (r) => typeof r.id === "number" && typeof r.seq === "number", true);
        return { ...result, clientMsgId };
      } catch (error) {
        const e = toLiveImError(error);
        if (!e.transient || this.closed) {
          throw e;
        }

        const wait = e.code === "rate_limited" && e.retryAfterMs !== undefined
          ? e.retryAfterMs + Math.floor(this.random() * 50)
          : backoffDelay(attempt, { initialMs: 250, maxMs: 5_000 }, this.random);
        this.log("debug", `gift ${clientMsgId}: ${e.code}, retrying in ${wait} ms`);
        await this.sleep(wait, options?.signal);
      }
    }
  }

  /** Adds `count` likes (1..1000) to the next batch; batches go out every `likeFlushMs` as one call. */
  like(count = 1): void {
    if (!Number.isSafeInteger(count) || count < 1 || count > 1000) {
      throw new LiveImError("invalid_argument", "invalid_argument: count must be a whole number from 1 to 1000");
    }

    // A bound on what a stuck connection can pile up: likes are counters, and more than this is a runaway loop.
    this.pendingLikes = Math.min(this.pendingLikes + count, 100_000);
    this.scheduleLikes(this.options.likeFlushMs ?? 500);
  }

  /** Sends the batched likes now (one call, at most 1,000; the rest stay batched). */
  async flushLikes(): Promise<void> {
    if (this.likeTimer !== null) {
      clearTimeout(this.likeTimer);
      this.likeTimer = null;
    }

    const n = Math.min(this.pendingLikes, 1000);
    if (n === 0) {
      return;
    }

    this.pendingLikes -= n;
    try {
      await this.call("SendLike", [n], (r) => typeof r.id === "number");
    } catch (error) {
      const e = toLiveImError(error);
      if (e.code === "rate_limited" || e.code === "connection_lost" || e.code === "not_joined") {
        // Back in the batch. After connection_lost the call may have got through: likes are best effort.
        this.pendingLikes = Math.min(this.pendingLikes + n, 100_000);
        this.scheduleLikes(e.retryAfterMs ?? this.options.likeFlushMs ?? 500);
      } else {
        this.emit("error", e);
      }

      throw e;
    }

    if (this.pendingLikes > 0) {
      this.scheduleLikes(this.options.likeFlushMs ?? 500);
    }
  }

  /** Mutes `userId` in the room for `seconds` (1..604800). Streamer and moderators only. */
  mute(userId: string, seconds: number): Promise<ModerationResult> {
    return this.moderate("Mute", [userId, seconds]);
  }

  /** Lifts a mute. */
  unmute(userId: string): Promise<ModerationResult> {
    return this.moderate("Unmute", [userId]);
  }

  /** Bans `userId` from the room; its connections in the room are closed. */
  ban(userId: string): Promise<ModerationResult> {
    return this.moderate("Ban", [userId]);
  }

  /** Lifts a ban. */
  unban(userId: string): Promise<ModerationResult> {
    return this.moderate("Unban", [userId]);
  }

  /** Slow mode: one chat line per viewer per `seconds` (0 = off, at most 3600). */
  setSlowMode(seconds: number): Promise<ModerationResult> {
    return this.moderate("SetSlowMode", [seconds]);
  }

  /** Asks every client of the room to hide message `id`. */
  deleteMessage(id: number): Promise<ModerationResult> {
    return this.moderate("DeleteMessage", [id]);
  }

  /** Streamer only: the stream time current now (ms on the stream's own timeline); report every 0.5-2 s. */
  reportStreamClock(streamMs: number): Promise<ClockResult> {
    return this.call<ClockResult>("ReportStreamClock", [streamMs], (r) => typeof r.epoch === "number" && typeof r.offsetMs === "number");
  }

  private moderate(method: string, args: unknown[]): Promise<ModerationResult> {
    return this.call<ModerationResult>(method, args, (r) => typeof r.id === "number" && typeof r.seq === "number");
  }

  // One call on the current connection. `wait`: when not joined (reconnecting), wait until joined instead of failing.
  private async call<T>(method: string, args: unknown[], valid: (r: Record<string, unknown>) => boolean, wait = false): Promise<T> {
    if (this.closed) {
      throw new LiveImError("closed", "closed: the room was closed");
    }

    if (!this.joined || this.hub === null) {
      if (!wait) {
        throw new LiveImError("connection_lost", "connection_lost: not connected to the room right now; the room is reconnecting");
      }

      await this.whenJoined();
    }

    let result: unknown;
    try {
      result = await this.hub!.invoke(method, ...args);
    } catch (error) {
      throw toLiveImError(error);
    }

    if (typeof result !== "object" || result === null || !valid(result as Record<string, unknown>)) {
      throw new LiveImError("protocol", `protocol: ${method} answered something this client cannot read`);
    }

    return result as T;
  }

  private whenJoined(): Promise<void> {
    if (this.closed) {
      return Promise.reject(new LiveImError("closed", "closed: the room was closed"));
    }

    return this.joined && this.hub !== null ? Promise.resolve() : new Promise((resolve, reject) => this.sendWaiters.push({ resolve, reject }));
  }

  private scheduleLikes(delayMs: number): void {
    if (this.likeTimer !== null || this.closed || this.pendingLikes === 0) {
      return;
    }

    this.likeTimer = setTimeout(() => {
      this.likeTimer = null;
      if (!this.joined) {
        this.scheduleLikes(this.options.likeFlushMs ?? 500);
        return;
      }

      this.flushLikes().catch(() => {});
    }, Math.max(0, delayMs));
  }

  // --- connecting, reconnecting, moving ---------------------------------------------------------------------------

  // Makes a new connection and joins on it; only then switches to it and stops the old one (during a move it still
  // delivers). Retries with jittered backoff until it joins, the room closes, or joining cannot succeed.
  private async connectLoop(kind: "connecting" | "reconnecting", reason: string | null, delayMs: number): Promise<void> {
    this.moving = true;
    this.setState(kind, reason);
    if (delayMs > 0) {
      await this.sleepUntilWoken(delayMs);
    }

    for (let attempt = 0; !this.closed; attempt++) {
      let hub: HubConnectionLike | null = null;
      let gateway: GatewayAssignment | null = null;
      try {
        gateway = await this.pickGateway(attempt);
        hub = this.createHub(gateway);
        await hub.start();
        if (this.closed) {
          break;
        }

        const joined = await this.joinOn(hub);
        if (this.closed) {
          break;
        }

        if (gateway.gatewayId === "" && typeof joined.gatewayId === "string" && joined.gatewayId.length > 0 && joined.gatewayId.length <= 200) {
          // A first connection made to a named gatewayUrl learns its id here, so that losing it can still be avoided.
          gateway = { ...gateway, gatewayId: joined.gatewayId };
        }

        const old = this.hub;
        this.hub = hub;
        this.gateway = gateway;
        this.joined = true;
        this.roomStateValue.gatewayUrl = gateway.url;
        this.roomStateValue.gatewayId = gateway.gatewayId;
        if (old !== null && old !== hub) {
          this.retire(old);
        }

        this.moving = false;
        if (kind === "reconnecting") {
          this.statsValue.reconnects++;
        }

        this.setState("connected", reason);
        this.emitRoomState();
        for (const waiter of this.sendWaiters.splice(0)) {
          waiter.resolve();
        }

        this.checkGap();
        return;
      } catch (error) {
        const e = toLiveImError(error);
        if (hub !== null) {
          this.retire(hub);
        }

        if (this.closed) {
          break;
        }

        if (fatalJoinCodes.has(e.code)) {
          this.shutDown(e);
          throw e;
        }

        if (gateway !== null) {
          this.avoidGateway(gateway);
        }

        this.log("info", `connecting to room ${this.roomId} failed (${e.code}): ${e.message}`);
        this.emit("error", e);
        const wait = Math.max(e.retryAfterMs ?? 0, backoffDelay(attempt, this.options.backoff, this.random));
        await this.sleepUntilWoken(Math.min(wait, 3_600_000));
      }
    }

    this.moving = false;
    throw new LiveImError("closed", "closed: the room was closed before it joined");
  }

  // Assignment, except the very first connection when the app named a gateway. A gateway that just failed is not
  // taken again while its avoid window lasts: after a crash the registry hands it out until its last load report
  // expires (6 s by default), and connecting to a dead address only costs time (and a browser console error). The
  // request names the avoided gateways (`avoid=`), so RoomService answers another one at once when it has one; an
  // avoided gateway answered anyway (it is the only one) is asked about again every 0.5-1 s; when the window ends,
  // whatever assignment says goes.
  private async pickGateway(attempt: number): Promise<GatewayAssignment> {
    if (!this.everJoined && attempt === 0 && this.options.gatewayUrl) {
      return { url: this.options.gatewayUrl, gatewayId: "" };
    }

    for (;;) {
      const now = Date.now();
      const avoided = [...this.avoid.values()].filter((a) => a.until >= now && a.gatewayId !== "").map((a) => a.gatewayId);
      const assigned = await assignGateway(this.fetchFn, this.options.serviceUrl, this.roomId, undefined, avoided);
      const until = this.avoid.get(assigned.url)?.until;
      if (until === undefined || until < Date.now()) {
        return assigned;
      }

      await this.sleepUntilWoken(Math.min(until - Date.now(), 500 + Math.floor(this.random() * 500)));
      if (this.closed) {
        throw new LiveImError("closed", "closed: the room was closed");
      }
    }
  }

  private avoidGateway(gateway: GatewayAssignment): void {
    const now = Date.now();
    for (const [url, a] of this.avoid) {
      if (a.until < now) {
        this.avoid.delete(url);
      }
    }

    this.avoid.set(gateway.url, { until: now + this.avoidMs(), gatewayId: gateway.gatewayId });
  }

  private avoidMs(): number {
    return clamp(this.options.failedGatewayAvoidMs ?? 6_000, 0, 600_000);
  }

  private createHub(gateway: GatewayAssignment): HubConnectionLike {
    const hub = this.hubFactory(serviceUrl(gateway.url, "/hubs/room"), {
      accessTokenFactory: async () => {
        const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
        return token ?? "";
      },
      logger: this.log,
    });
    this.live.add(hub);
    hub.on("events", (batch: unknown) => this.onEvents(hub, batch));
    hub.on("reconnect", (notice: unknown) => this.onReconnectHint(hub, notice));
    hub.onclose((error?: Error) => this.onClosed(hub, error));
    return hub;
  }

  private retire(hub: HubConnectionLike): void {
    if (this.live.delete(hub)) {
      hub.stop().catch(() => {});
    }
  }

  private async joinOn(hub: HubConnectionLike): Promise<JoinResult> {
    const lastSeq = this.everJoined ? this.lastSeq : null;
    this.floor = lastSeq ?? 0;
    const sent = Date.now();
    const raw: unknown = await hub.invoke("JoinRoom", this.roomId, lastSeq);
    const answered = Date.now();
    const result = raw as JoinResult;
    if (typeof raw !== "object" || raw === null || !Number.isSafeInteger(result.seq) || result.seq < 0 || typeof result.online !== "number") {
      throw new LiveImError("protocol", "protocol: JoinRoom answered something this client cannot read");
    }

    if (typeof result.serverTime === "number" && Number.isFinite(result.serverTime)) {
      // The server read its clock somewhere between sending and answering: the midpoint is off by at most half the round trip.
      this.skewMs = result.serverTime - (sent + answered) / 2;
    }

    if (lastSeq === null) {
      // A fresh join starts at the room's current seq: nothing before it is owed.
      this.floor = Math.max(this.floor, result.seq);
    } else if (result.recovered === false) {
      // History no longer holds part of the gap: whatever it held is on its way; the rest is lost for good.
      this.emit("gap", { fromSeq: lastSeq + 1, toSeq: result.seq, recovered: false });
      this.floor = Math.max(this.floor, result.seq);
    }

    this.everJoined = true;
    this.roomStateValue.online = result.online;
    if (this.options.fetchRoomInfo) {
      void this.readRoomInfo();
    }

    return result;
  }

  private async readRoomInfo(): Promise<void> {
    if (this.roomInfoTimer !== null) {
      clearTimeout(this.roomInfoTimer);
      this.roomInfoTimer = null;
    }

    try {
      const info = await roomInfo(this.fetchFn, this.options.serviceUrl, this.roomId);
      const s = info.stream;
      if (s && [s.epoch, s.offsetMs].every(Number.isFinite)) {
        const current = this.roomStateValue.streamClock;
        if (current === null || s.epoch >= current.epoch) {
          this.roomStateValue.streamClock = { epoch: s.epoch, offsetMs: s.offsetMs };
          this.emitRoomState();
        }
      }
    } catch (error) {
      this.emit("error", toLiveImError(error));
    }

    const poll = this.options.roomInfoPollMs ?? 0;
    if (poll > 0 && !this.closed && this.roomStateValue.streamClock === null && this.roomInfoTimer === null) {
      this.roomInfoTimer = setTimeout(() => {
        this.roomInfoTimer = null;
        void this.readRoomInfo();
      }, Math.max(250, poll));
    }
  }

  private onReconnectHint(hub: HubConnectionLike, notice: unknown): void {
    if (hub !== this.hub || this.closed || this.moving) {
      return;
    }

    const n = (typeof notice === "object" && notice !== null ? notice : {}) as { reason?: unknown; delayMs?: unknown };
    const reason = typeof n.reason === "string" && /^[a-z_]{1,32}$/.test(n.reason) ? n.reason : "reconnect";
    const delayMs = typeof n.delayMs === "number" ? clamp(Math.floor(n.delayMs), 0, 3_600_000) : 0;
    // No need to avoid the draining gateway: it reported itself draining before it sent this, and assignment skips it.
    this.statsValue.moves++;
    this.log("info", `gateway asks to move (${reason}) in ${delayMs} ms`);
    void this.connectLoop("reconnecting", reason, delayMs).catch(() => {});
  }

  private onClosed(hub: HubConnectionLike, error?: Error): void {
    const wasLive = this.live.delete(hub);
    if (hub !== this.hub || this.closed || !wasLive) {
      return;
    }

    this.joined = false;
    // A close message of the server carries a code (banned, slow_consumer, flood, unavailable at a drain's deadline);
    // a connection that just broke does not.
    const e = error === undefined ? null : parseServerError(error.message);
    if (e?.code === "banned") {
      this.shutDown(e);
      return;
    }

    if (this.moving) {
      // Moving already (the drain's deadline closed the old connection): go now instead of waiting out the delay.
      this.wake?.();
      return;
    }

    const reason = e?.code ?? "dropped";
    this.log("info", `connection to ${this.gateway?.url ?? "?"} closed (${reason}); reconnecting`);
    // A close message means the gateway is alive and said why; a connection that just broke may mean it died.
    if (this.gateway !== null && e === null) {
      this.avoidGateway(this.gateway);
    }

    // A flood close means slow down: the first attempt waits a few seconds instead of a fraction of one.
    const first = reason === "flood" ? 2_000 + backoffDelay(0, { initialMs: 3_000 }, this.random) : backoffDelay(0, this.options.backoff, this.random);
    void this.connectLoop("reconnecting", reason, first).catch(() => {});
  }

  private shutDown(error: LiveImError | null): void {
    if (this.closed) {
      return;
    }

    this.closed = true;
    this.joined = false;
    for (const timer of [this.gapTimer, this.likeTimer, this.roomInfoTimer]) {
      if (timer !== null) {
        clearTimeout(timer);
      }
    }

    this.gapTimer = this.likeTimer = this.roomInfoTimer = null;
    this.wake?.();
    for (const hub of [...this.live]) {
      this.retire(hub);
    }

    const closedError = error ?? new LiveImError("closed", "closed: the room was closed");
    for (const waiter of this.sendWaiters.splice(0)) {
      waiter.reject(closedError);
    }

    this.setState("closed", error?.code ?? "closed", error);
  }

  // --- events ------------------------------------------------------------------------------------------------------

  private onEvents(hub: HubConnectionLike, batch: unknown): void {
    if (this.closed || !this.live.has(hub)) {
      return;
    }

    if (!Array.isArray(batch)) {
      this.statsValue.malformed++;
      this.log("warn", "an events frame whose argument is not an array was dropped");
      return;
    }

    const out: RoomEvent[] = [];
    let changed = false;
    for (const raw of batch) {
      const e = checkEvent(raw, this.roomId);
      if (typeof e === "string") {
        this.statsValue.malformed++;
        this.log("warn", `a malformed event was dropped: ${e}`);
        continue;
      }

      // Seen already: by id (all lanes; the online count's id 0 is never a duplicate), or by seq (reliable lanes).
      if (e.id > 0 && !this.ids.add(e.id)) {
        this.statsValue.duplicates++;
        continue;
      }

      if (isReliableLane(e.lane) && e.seq !== null && e.seq !== undefined && !this.seqs.tryMark(e.seq)) {
        this.statsValue.duplicates++;
        continue;
      }

      changed = this.apply(e) || changed;
      out.push(e);
    }

    if (out.length > 0) {
      this.emit("events", out);
    }

    if (changed) {
      this.emitRoomState();
    }

    this.checkGap();
  }

  private apply(e: RoomEvent): boolean {
    const state = this.roomStateValue;
    if (e.type === "online" && typeof e.online === "number") {
      state.online = e.online;
      return true;
    }

    let changed = false;
    if (e.type === "likes" && typeof e.likes === "number") {
      state.likes += e.likes;
      changed = true;
    } else if (e.type === "slow_mode" && typeof e.moderation?.seconds === "number") {
      state.slowModeSeconds = e.moderation.seconds;
      changed = true;
    }

    // streamTs is clamped at 0 by the server, so a 0 says nothing about the offset. An older epoch is a straggler.
    if (typeof e.streamTs === "number" && e.streamTs > 0 && typeof e.streamEpoch === "number") {
      const clock = state.streamClock;
      const offsetMs = e.serverTs - e.streamTs;
      if (clock === null || e.streamEpoch > clock.epoch || (e.streamEpoch === clock.epoch && clock.offsetMs !== offsetMs)) {
        state.streamClock = { epoch: e.streamEpoch, offsetMs };
        changed = true;
      }
    }

    return changed;
  }

  // A gap (a seq missing below the highest received) that stays open for gapRepairDelayMs is repaired by joining
  // again on the same connection with lastSeq: the gateway sends what history holds after it.
  private checkGap(): void {
    if (!this.joined || this.closed || this.gapTimer !== null || this.repairing) {
      return;
    }

    if (this.seqs.highest > this.lastSeq) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        void this.repairGap();
      }, Math.max(0, this.options.gapRepairDelayMs ?? 1_000));
    }
  }

  private async repairGap(): Promise<void> {
    const hub = this.hub;
    const from = this.lastSeq;
    const to = this.seqs.highest;
    if (!this.joined || this.closed || this.moving || hub === null || to <= from) {
      return;
    }

    this.repairAttempts = from === this.repairPoint ? this.repairAttempts + 1 : 1;
    this.repairPoint = from;
    if (this.repairAttempts > 3) {
      // Three rejoins did not fill it: history does not hold it (trimmed). Give it up rather than rejoin forever.
      this.floor = to;
      this.emit("gap", { fromSeq: from + 1, toSeq: to, recovered: false });
      return;
    }

    this.emit("gap", { fromSeq: from + 1, toSeq: to, recovered: null });
    this.statsValue.gapRepairs++;
    this.repairing = true;
    try {
      await this.joinOn(hub);
    } catch (error) {
      this.emit("error", toLiveImError(error));
    } finally {
      this.repairing = false;
    }

    this.checkGap();
  }

  // --- plumbing ----------------------------------------------------------------------------------------------------

  private setState(state: ConnectionState, reason: string | null, error: LiveImError | null = null): void {
    const previous = this.stateValue;
    if (previous === state && state !== "connected") {
      return;
    }

    this.stateValue = state;
    this.emit("state", { state, previous, reason, gatewayUrl: this.gateway?.url ?? null, error });
  }

  private emitRoomState(): void {
    this.emit("roomState", this.roomState);
  }

  private emit<K extends keyof Listeners>(name: K, arg: Listeners[K]): void {
    for (const handler of [...this.listeners[name]]) {
      try {
        (handler as (a: Listeners[K]) => void)(arg);
      } catch (error) {
        // The app's handler failed: its bug, surfaced as an uncaught error, and the room carries on.
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  // One reconnect loop runs at a time (`moving`), so there is at most one such sleeper: `wake` cuts it short (the
  // old connection closed during a move's delay, or the room closed).
  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) {
          this.wake = null;
        }

        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}

/** A clientMsgId: 22 characters of `[A-Za-z0-9_-]` (132 random bits). */
export function newClientMsgId(random: () => number = Math.random): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  const bytes = new Uint8Array(22);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.getRandomValues) {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(random() * 256);
    }
  }

  let id = "";
  for (const b of bytes) {
    id += alphabet[b & 63];
  }

  return id;
}

/** Opens a room: {@link LiveImRoom} plus {@link LiveImRoom.start}. Subscribe with `onEvents` etc. to miss nothing. */
export async function connect(
  options: RoomOptions & {
    onEvents?: (events: RoomEvent[]) => void;
    onState?: (change: StateChange) => void;
    onRoomState?: (state: RoomState) => void;
    onError?: (error: LiveImError) => void;
  },
): Promise<LiveImRoom> {
  const room = new LiveImRoom(options);
  if (options.onEvents) room.on("events", options.onEvents);
  if (options.onState) room.on("state", options.onState);
  if (options.onRoomState) room.on("roomState", options.onRoomState);
  if (options.onError) room.on("error", options.onError);
  await room.start();
  return room;
}
