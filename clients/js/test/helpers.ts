import type { AlignedRelease, PlaybackAligner, ReleaseKind } from "../src/aligner/playbackAligner.js";
import type { RoomEvent } from "../src/events.js";

/** Room events for the tests: a chat line at a stream time, a gift, an event without a clock. */
export const Ev = {
  at(id: number, streamTs: number, epoch = 1, lane = "chat"): RoomEvent {
    return {
      roomId: "r1", id, seq: lane === "gift" ? id : null, lane, type: lane === "gift" ? "gift" : "chat",
      ...(lane === "gift" ? { gift: { giftId: "rose", count: 1 } } : { text: "line " + id }),
      serverTs: 1_763_740_000_000 + streamTs, streamTs, streamEpoch: epoch,
    };
  },
  gift(id: number, streamTs: number, epoch = 1): RoomEvent {
    return Ev.at(id, streamTs, epoch, "gift");
  },
  noClock(id: number): RoomEvent {
    return { roomId: "r1", id, seq: null, lane: "chat", type: "chat", text: "line " + id, serverTs: 1_763_740_000_000 };
  },
};

/** Whole numbers from `start`, `count` of them. */
export const range = (start: number, count: number): number[] => Array.from({ length: count }, (_, i) => start + i);

/**
 * A replay source over a list of events, as RoomService's replay API would answer. Records each call; with `gate`
 * set, a call waits until the test opens it.
 */
export class FakeReplay {
  readonly calls: { epoch: number; fromMs: number; toMs: number; signal: AbortSignal }[] = [];
  readonly extra: RoomEvent[] = [];
  gate: { promise: Promise<void>; open: () => void } | null = null;

  constructor(private readonly store: RoomEvent[]) {}

  static gate(): { promise: Promise<void>; open: () => void } {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  }

  readonly fetch = async (epoch: number, fromMs: number, toMs: number, signal: AbortSignal): Promise<RoomEvent[]> => {
    this.calls.push({ epoch, fromMs, toMs, signal });
    const gate = this.gate;
    if (gate !== null) {
      await gate.promise;
    }

    return [...this.store.filter((e) => e.streamEpoch === epoch && e.streamTs! >= fromMs && e.streamTs! <= toMs), ...this.extra];
  };
}

/** Records what an aligner releases, with the simulated playback position at that moment. */
export class ReleaseLog {
  playbackMs: number | null = null;
  private entries: { release: AlignedRelease; playbackMs: number | null }[] = [];

  constructor(aligner: PlaybackAligner) {
    aligner.onReleased((release) => this.entries.push({ release, playbackMs: this.playbackMs }));
  }

  get releases(): AlignedRelease[] {
    return this.entries.map((e) => e.release);
  }

  get events(): { event: RoomEvent; kind: ReleaseKind; playbackMs: number | null }[] {
    return this.entries.flatMap((e) => e.release.events.map((event) => ({ event, kind: e.release.kind, playbackMs: e.playbackMs })));
  }

  get ids(): number[] {
    return this.events.map((e) => e.event.id);
  }

  clear(): void {
    this.entries = [];
  }
}

/** A seeded random number generator (mulberry32), so that shuffled inputs are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max). */
export const next = (rng: () => number, min: number, max: number): number => min + Math.floor(rng() * (max - min));

/** Lets pending promise callbacks run. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
};
