import type { RoomEvent } from "../events.js";
import { endOfEpoch } from "../http.js";
import { MinHeap } from "./heap.js";
import { ReleasedIds } from "./releasedIds.js";

/**
 * Where the player is: the stream session (`epoch`, as in an event's `streamEpoch`) and the stream timeline ms within
 * it (`streamMs`, as in `streamTs`). Compared lexicographically: epoch first, then stream time.
 */
export interface PlaybackPosition {
  epoch: number;
  streamMs: number;
}

/** Why a batch of events left the aligner (docs/alignment.md, "Output"). */
export type ReleaseKind = "due" | "early" | "skipped";

/** Events released together, in release order, and why. */
export interface AlignedRelease {
  /** At least one event; in stream order, except events released the moment they were added (arrival order). */
  events: RoomEvent[];
  kind: ReleaseKind;
}

/** A replay fetch that failed (threw, rejected or answered something that is not a list). */
export interface ReplayFailure {
  epoch: number;
  fromMs: number;
  /** Inclusive; {@link endOfEpoch} = to the end of the epoch. */
  toMs: number;
  error: unknown;
}

/**
 * Fetches every event of one epoch whose stream time lies in [fromMs, toMs] (both inclusive; `toMs` =
 * {@link endOfEpoch}: to the end of the epoch), all pages. The signal aborts when the aligner abandons the fetch.
 */
export type ReplayFetch = (epoch: number, fromMs: number, toMs: number, signal: AbortSignal) => Promise<readonly RoomEvent[]>;

/** Settings (docs/alignment.md, "Defaults, and why"). */
export interface PlaybackAlignerOptions {
  /** Most events held at once; past it the oldest (the next due) are released early. Default 5,000. */
  maxHeld?: number;
  /** A step forward of more than this (same epoch) in `updatePosition` is a seek: what it passes is `skipped`. Default 5,000. */
  forwardSeekThresholdMs?: number;
  /** A step back of more than this (same epoch) in `updatePosition` is a seek backward; a smaller one is jitter. Default 1,000. */
  backwardSeekThresholdMs?: number;
  /** How many released ids are remembered to drop duplicates. Default 20,000. */
  rememberedIds?: number;
  /** The replay source for seeks backward (e.g. {@link replaySource}); none: a seek backward replays nothing. */
  replay?: ReplayFetch;
}

/** Counters since the aligner was created. */
export interface AlignerStats {
  held: number;
  received: number;
  replayed: number;
  duplicates: number;
  releasedDue: number;
  releasedEarly: number;
  releasedSkipped: number;
  replayRequests: number;
  replayFailures: number;
}

interface Held {
  event: RoomEvent;
  epoch: number;
  streamTs: number;
  id: number;
  arrival: number;
}

interface ReplayRequest {
  generation: number;
  epoch: number;
  fromMs: number;
  toMs: number;
  abort: AbortController;
}

// The ordering key: (streamEpoch, streamTs, id, arrival); arrival breaks the last ties (the online count's id is 0).
const less = (a: Held, b: Held): boolean =>
  a.epoch !== b.epoch ? a.epoch < b.epoch : a.streamTs !== b.streamTs ? a.streamTs < b.streamTs : a.id !== b.id ? a.id < b.id : a.arrival < b.arrival;

const isDueAt = (k: Held, p: PlaybackPosition): boolean => k.epoch < p.epoch || (k.epoch === p.epoch && k.streamTs <= p.streamMs);

const compare = (a: PlaybackPosition, b: PlaybackPosition): number =>
  a.epoch !== b.epoch ? (a.epoch < b.epoch ? -1 : 1) : a.streamMs === b.streamMs ? 0 : a.streamMs < b.streamMs ? -1 : 1;

const isClock = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function checkPosition(p: PlaybackPosition): PlaybackPosition {
  if (typeof p !== "object" || p === null || !isClock(p.epoch) || !isClock(p.streamMs)) {
    throw new RangeError("a playback position is {epoch, streamMs} with finite numbers");
  }

  return { epoch: p.epoch, streamMs: p.streamMs };
}

function positiveInt(value: number | undefined, fallback: number, min: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new RangeError(`${name} must be a whole number >= ${min}`);
  }

  return v;
}

/**
 * Holds room events until the player's playback reaches their stream time, so that chat and gifts appear in time
 * with the video a viewer watches seconds behind the live edge. Feed it events ({@link add}) and the playback
 * position ({@link updatePosition} every player tick, {@link seek} when the user seeks); take what it releases from
 * {@link onReleased} or {@link takeReleased}. The algorithm, precisely: docs/alignment.md; it releases the same
 * events, in the same order, with the same kind, as the .NET client's `PlaybackAligner`.
 */
export class PlaybackAligner {
  private readonly maxHeld: number;
  private readonly forwardThreshold: number;
  private readonly backwardThreshold: number;
  private readonly replay: ReplayFetch | undefined;
  private readonly held = new MinHeap<Held>(less);

  // Ids of held events: a duplicate that arrives while the first copy waits is dropped at once.
  private readonly heldIds = new Set<number>();
  private readonly released: ReleasedIds;
  private positionValue: PlaybackPosition | null = null;

  // The furthest position playback has reached (a seek backward does not lower it): the end of a replay window.
  private furthest: PlaybackPosition | null = null;
  private arrivals = 0;
  private readonly counters = { received: 0, replayed: 0, duplicates: 0, releasedDue: 0, releasedEarly: 0, releasedSkipped: 0, replayRequests: 0, replayFailures: 0 };

  private readonly outbox: AlignedRelease[] = [];
  private delivering = false;
  private readonly releaseHandlers = new Set<(release: AlignedRelease) => void>();
  private readonly failureHandlers = new Set<(failure: ReplayFailure) => void>();

  // Which fetch is current: each seek backward bumps it; an older fetch's answer is dropped.
  private replayGeneration = 0;
  private skippedDuringReplay = false;
  private replayAbort: AbortController | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(options?: PlaybackAlignerOptions) {
    this.maxHeld = positiveInt(options?.maxHeld, 5_000, 1, "maxHeld");
    this.forwardThreshold = positiveInt(options?.forwardSeekThresholdMs, 5_000, 0, "forwardSeekThresholdMs");
    this.backwardThreshold = positiveInt(options?.backwardSeekThresholdMs, 1_000, 0, "backwardSeekThresholdMs");
    this.released = new ReleasedIds(positiveInt(options?.rememberedIds, 20_000, 0, "rememberedIds"));
    this.replay = options?.replay;
  }

  /** The playback position the aligner works with (null until the first one). */
  get position(): PlaybackPosition | null {
    return this.positionValue === null ? null : { ...this.positionValue };
  }

  /** Events waiting for playback. */
  get heldCount(): number {
    return this.held.size;
  }

  /** A snapshot of the counters. */
  get stats(): AlignerStats {
    return { held: this.held.size, ...this.counters };
  }

  /** The last replay started by a seek backward: settles when it was merged, failed or was abandoned. Never rejects. */
  get pendingReplay(): Promise<void> {
    return this.pending;
  }

  /**
   * Calls `handler` for each release, in order, one at a time. While no handler is registered, releases wait for
   * {@link takeReleased}. A handler that throws fails the call that delivered it; the releases after it go out on the
   * next call. Returns a function that unregisters it.
   */
  onReleased(handler: (release: AlignedRelease) => void): () => void {
    this.releaseHandlers.add(handler);
    this.deliver();
    return () => this.releaseHandlers.delete(handler);
  }

  /** Calls `handler` when the replay source fails; the aligner carries on without the replayed events. */
  onReplayFailed(handler: (failure: ReplayFailure) => void): () => void {
    this.failureHandlers.add(handler);
    return () => this.failureHandlers.delete(handler);
  }

  /** The releases nobody has taken yet (the pull alternative to {@link onReleased}). */
  takeReleased(): AlignedRelease[] {
    return this.outbox.splice(0, this.outbox.length);
  }

  /** Takes a batch of live events, as the room delivers them (docs/alignment.md, "Taking events"). */
  add(batch: readonly (RoomEvent | null | undefined)[] | RoomEvent): void {
    this.take(Array.isArray(batch) ? batch : [batch as RoomEvent], false, "due");
    this.deliver();
  }

  /**
   * The player's position at a tick (every 100-250 ms). Releases what became due; a jump forward of more than
   * `forwardSeekThresholdMs` is a seek (released as `skipped`); a step back of more than `backwardSeekThresholdMs`,
   * or into an older epoch, is a seek backward (a replay is fetched); a smaller step back is ignored.
   */
  updatePosition(position: PlaybackPosition): void {
    const p = checkPosition(position);
    let replay: ReplayRequest | null = null;
    const previous = this.positionValue;
    if (previous === null) {
      this.moveTo(p, "due");
    } else if (p.epoch > previous.epoch) {
      replay = this.enterLaterEpoch(p, "due");
    } else if (p.epoch < previous.epoch) {
      replay = this.seekBackward(p);
    } else {
      const step = p.streamMs - previous.streamMs;
      if (step > this.forwardThreshold) {
        this.moveTo(p, "skipped");
      } else if (step >= 0) {
        this.moveTo(p, "due");
      } else if (-step > this.backwardThreshold) {
        replay = this.seekBackward(p);
      }

      // else: jitter backwards; playback stays where it was (what was released stays released).
    }

    this.startReplay(replay);
    this.deliver();
  }

  /**
   * The user sought to `position` (no thresholds). Forward: everything held up to it is released as one `skipped`
   * batch. Backward: a new pass; the replay source is asked for [position, the furthest position playback reached].
   * The promise settles when that replay (if any) has been merged or has failed; it never rejects because of the source.
   */
  seek(position: PlaybackPosition): Promise<void> {
    const p = checkPosition(position);
    let replay: ReplayRequest | null = null;
    const previous = this.positionValue;
    if (previous === null) {
      this.moveTo(p, "due");
    } else if (p.epoch > previous.epoch) {
      replay = this.enterLaterEpoch(p, "skipped");
    } else if (compare(p, previous) > 0) {
      this.moveTo(p, "skipped");
    } else if (compare(p, previous) < 0) {
      replay = this.seekBackward(p);
    }

    const task = this.startReplay(replay);
    this.deliver();
    return task;
  }

  /** Releases everything held now, in stream order, as `early` (leaving the room, closing the player). */
  flush(): void {
    const early: RoomEvent[] = [];
    for (let h = this.held.pop(); h !== undefined; h = this.held.pop()) {
      this.releaseHeld(early, h);
    }

    this.queue(early, "early");
    this.deliver();
  }

  /** Abandons a replay being fetched. Held events stay held (call {@link flush} to release them). */
  dispose(): void {
    this.cancelReplay();
  }

  // The one path for live and replayed events, so both obey the same rules. Events due at once go out as dueKind.
  private take(batch: readonly (RoomEvent | null | undefined)[], replayed: boolean, dueKind: ReleaseKind): void {
    const due: RoomEvent[] = [];
    for (const e of batch) {
      if (e === null || e === undefined || typeof e !== "object") {
        continue;
      }

      if (replayed) {
        this.counters.replayed++;
      } else {
        this.counters.received++;
      }

      // Id 0 is the online count (a latest-value signal that always carries id 0): only positive ids identify an event.
      const id = typeof e.id === "number" ? e.id : 0;
      if (id > 0 && (this.heldIds.has(id) || this.released.has(id))) {
        this.counters.duplicates++;
        continue;
      }

      // No place on the timeline: no clock, or (hostile) a clock without its epoch.
      if (!isClock(e.streamTs) || !isClock(e.streamEpoch)) {
        due.push(e);
        this.remember(e);
        continue;
      }

      const key: Held = { event: e, epoch: e.streamEpoch, streamTs: e.streamTs, id, arrival: ++this.arrivals };
      if (this.positionValue !== null && isDueAt(key, this.positionValue)) {
        due.push(e);
        this.remember(e);
        continue;
      }

      this.held.push(key);
      if (id > 0) {
        this.heldIds.add(id);
      }
    }

    this.queue(due, dueKind);

    // The bound: the oldest held are the next due anyway, so releasing them early misplaces them the least.
    const early: RoomEvent[] = [];
    while (this.held.size > this.maxHeld) {
      this.releaseHeld(early, this.held.pop()!);
    }

    this.queue(early, "early");
  }

  private moveTo(p: PlaybackPosition, kind: ReleaseKind): void {
    this.positionValue = p;
    if (this.furthest === null || compare(p, this.furthest) > 0) {
      this.furthest = p;
    }

    if (kind === "skipped") {
      this.skippedDuringReplay = true;
    }

    const released: RoomEvent[] = [];
    for (let next = this.held.peek(); next !== undefined && isDueAt(next, p); next = this.held.peek()) {
      this.releaseHeld(released, this.held.pop()!);
    }

    this.queue(released, kind);
  }

  private releaseHeld(into: RoomEvent[], h: Held): void {
    if (h.id > 0) {
      this.heldIds.delete(h.id);
    }

    into.push(h.event);
    this.remember(h.event);
  }

  private remember(e: RoomEvent): void {
    if (typeof e.id === "number" && e.id > 0) {
      this.released.remember(e.id, isClock(e.streamEpoch) ? e.streamEpoch : null, isClock(e.streamTs) ? e.streamTs : null);
    }
  }

  private seekBackward(p: PlaybackPosition): ReplayRequest | null {
    this.positionValue = p;
    return this.requestReplay(p);
  }

  // Playback moves into a later epoch. If it had been there before (then sought back into an older one), what it saw
  // there was released in an earlier pass and the replay of the older epoch did not cover it: replay it.
  private enterLaterEpoch(p: PlaybackPosition, kind: ReleaseKind): ReplayRequest | null {
    const revisit = this.furthest !== null && compare(this.furthest, p) > 0;
    this.moveTo(p, kind);
    return revisit ? this.requestReplay(p) : null;
  }

  // A new pass from `from` (docs/alignment.md, "Seeks backward and the replay").
  private requestReplay(from: PlaybackPosition): ReplayRequest | null {
    this.cancelReplay();
    const furthest = this.furthest ?? from;
    const toMs = furthest.epoch === from.epoch ? furthest.streamMs : endOfEpoch;
    this.released.forget(from.epoch, from.streamMs, toMs);
    if (this.replay === undefined) {
      return null;
    }

    this.counters.replayRequests++;
    this.skippedDuringReplay = false;
    this.replayAbort = new AbortController();
    return { generation: this.replayGeneration, epoch: from.epoch, fromMs: from.streamMs, toMs, abort: this.replayAbort };
  }

  private cancelReplay(): void {
    this.replayGeneration++;
    const abort = this.replayAbort;
    this.replayAbort = null;
    abort?.abort();
  }

  private startReplay(request: ReplayRequest | null): Promise<void> {
    if (request === null) {
      return Promise.resolve();
    }

    const task = this.runReplay(request);
    if (this.replayGeneration === request.generation) {
      this.pending = task;
    }

    return task;
  }

  private async runReplay(request: ReplayRequest): Promise<void> {
    let events: readonly RoomEvent[];
    try {
      // The source is the caller's code: a synchronous throw is a failure like a rejection.
      const answer: unknown = await this.replay!(request.epoch, request.fromMs, request.toMs, request.abort.signal);
      if (!Array.isArray(answer)) {
        throw new TypeError("the replay source answered something that is not an array of events");
      }

      events = answer as RoomEvent[];
    } catch (error) {
      if (request.abort.signal.aborted) {
        return;
      }

      this.counters.replayFailures++;
      if (this.replayGeneration === request.generation) {
        this.replayAbort = null;
      }

      const failure: ReplayFailure = { epoch: request.epoch, fromMs: request.fromMs, toMs: request.toMs, error };
      for (const handler of [...this.failureHandlers]) {
        try {
          handler(failure);
        } catch {
          // A failing failure handler must not turn the replay into an unhandled rejection.
        }
      }

      return;
    }

    if (this.replayGeneration !== request.generation) {
      return;
    }

    this.replayAbort = null;

    // Playback moved on during the fetch: what it passed is released at once (as skipped if a seek forward passed
    // it), the rest is held.
    this.take(events, true, this.skippedDuringReplay ? "skipped" : "due");
    try {
      this.deliver();
    } catch {
      // A throwing release handler fails the call that delivered; here that is nobody's call. The release is gone
      // from the outbox (as with .NET's Released), the rest goes out on the next call.
    }
  }

  private queue(events: RoomEvent[], kind: ReleaseKind): void {
    if (events.length === 0) {
      return;
    }

    if (kind === "due") {
      this.counters.releasedDue += events.length;
    } else if (kind === "early") {
      this.counters.releasedEarly += events.length;
    } else {
      this.counters.releasedSkipped += events.length;
    }

    this.outbox.push({ events, kind });
  }

  // `delivering` makes delivery serial: a handler that calls back into the aligner leaves its releases to the
  // delivery already running, which loops until the outbox is empty; order is kept.
  private deliver(): void {
    if (this.delivering || this.releaseHandlers.size === 0) {
      return;
    }

    this.delivering = true;
    try {
      for (let next = this.outbox.shift(); next !== undefined; next = this.outbox.shift()) {
        for (const handler of [...this.releaseHandlers]) {
          handler(next);
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
