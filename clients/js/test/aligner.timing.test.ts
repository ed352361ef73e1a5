import assert from "node:assert/strict";
import { test } from "node:test";
import { PlaybackAligner } from "../src/aligner/playbackAligner.js";
import type { RoomEvent } from "../src/events.js";
import { Ev, ReleaseLog, next, seeded } from "./helpers.js";

const at = (epoch: number, streamMs: number) => ({ epoch, streamMs });

test("a viewer 8 s behind gets each event within one tick of its stream time, never before, and in stream order", () => {
  const delayMs = 8_000;
  const tickMs = 100;
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  const rng = seeded(5);
  const sent: RoomEvent[] = [];
  let pending: RoomEvent[] = [];
  let id = 0;

  // Simulated time in 10 ms steps. The live edge is at stream time `now`; RoomService stamps each event with the
  // current stream time (two instances may differ by a few ms, so ids and stream times are not in the same order);
  // the gateway sends a batch every 50 ms; the player shows `now - 8 s` and ticks every 100 ms.
  for (let now = 0; now <= 70_000; now += 10) {
    if (now <= 60_000) {
      for (let k = next(rng, 0, 3); k > 0; k--) {
        const e = Ev.at(++id, Math.max(0, now - next(rng, 0, 30)));
        sent.push(e);
        pending.push(e);
      }
    }

    if (now % 50 === 0 && pending.length > 0) {
      aligner.add(pending);
      pending = [];
    }

    if (now >= delayMs && now % tickMs === 0) {
      log.playbackMs = now - delayMs;
      aligner.updatePosition(at(1, now - delayMs));
    }
  }

  const released = log.events;
  assert.ok(sent.length > 5_000, `the simulation sent ${sent.length} events`);
  assert.deepEqual(released.map((r) => r.event.id).sort((a, b) => a - b), sent.map((e) => e.id));
  for (const r of released) {
    assert.equal(r.kind, "due");
    assert.ok(r.playbackMs! >= r.event.streamTs!, `event ${r.event.id} at ${r.event.streamTs} released at ${r.playbackMs}`);
    assert.ok(r.playbackMs! - r.event.streamTs! < tickMs, `event ${r.event.id} at ${r.event.streamTs} released at ${r.playbackMs}`);
  }

  const keys = released.map((r) => [r.event.streamTs!, r.event.id] as const);
  const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(keys, sorted);
  assert.equal(aligner.heldCount, 0);
});

test("events without a clock are released at once, even before the player starts", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);

  aligner.add([Ev.noClock(1), Ev.at(2, 5_000), Ev.noClock(3)]);

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "due");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [1, 3]);
  assert.equal(aligner.heldCount, 1);
});

test("clocked events wait for the first position, then release what it reaches", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.add([Ev.at(1, 3_000), Ev.at(2, 1_000), Ev.at(3, 9_000)]);
  assert.equal(log.releases.length, 0);

  aligner.updatePosition(at(1, 5_000));

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "due");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [2, 1]);
});

test("an event at or behind playback is released at once", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 5_000));

  aligner.add([Ev.at(1, 5_000), Ev.at(2, 4_000), Ev.at(3, 5_001)]);

  assert.deepEqual(log.ids, [1, 2]);
  assert.equal(aligner.heldCount, 1);
});

test("equal stream times release by id", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));
  aligner.add([Ev.at(9, 1_000), Ev.at(4, 1_000), Ev.at(7, 1_000), Ev.at(8, 999)]);

  aligner.updatePosition(at(1, 1_000));

  assert.deepEqual(log.ids, [8, 4, 7, 9]);
});

test("a stream restart releases the old epoch at once and holds the new one until playback enters it", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 10_000));

  // The stream restarted at the live edge: epoch 2 begins while the viewer still watches epoch 1.
  aligner.add([Ev.at(1, 12_000), Ev.at(2, 15_000), Ev.at(3, 500, 2), Ev.gift(4, 3_000, 2)]);
  aligner.updatePosition(at(1, 12_000));
  assert.deepEqual(log.ids, [1]);

  // Playback enters epoch 2: the rest of epoch 1 is stale and goes at once; epoch 2 waits for its times.
  log.clear();
  aligner.updatePosition(at(2, 0));
  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "due");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [2]);

  // A straggler of the old epoch, late: released at once.
  log.clear();
  aligner.add(Ev.at(5, 20_000, 1));
  assert.deepEqual(log.ids, [5]);

  log.clear();
  aligner.updatePosition(at(2, 400));
  assert.equal(log.releases.length, 0);
  aligner.updatePosition(at(2, 500));
  assert.deepEqual(log.ids, [3]);
  aligner.updatePosition(at(2, 3_000));
  assert.deepEqual(log.ids, [3, 4]);
  assert.ok(log.releases.every((r) => r.kind === "due"));
});

test("a newer epoch waits even when its stream time is behind playback", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 50_000));

  aligner.add(Ev.at(1, 100, 2));

  assert.equal(log.releases.length, 0);
  aligner.updatePosition(at(2, 100));
  assert.deepEqual(log.ids, [1]);
});

test("without a handler releases wait for takeReleased", () => {
  const aligner = new PlaybackAligner();
  aligner.add([Ev.noClock(1), Ev.at(2, 100)]);
  aligner.updatePosition(at(1, 100));

  const taken = aligner.takeReleased();

  assert.equal(taken.length, 2);
  assert.deepEqual(taken[0]!.events.map((e) => e.id), [1]);
  assert.deepEqual(taken[1]!.events.map((e) => e.id), [2]);
  assert.deepEqual(aligner.takeReleased(), []);
});

test("flush releases everything held as early, in stream order", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));
  aligner.add([Ev.at(1, 3_000, 2), Ev.gift(2, 9_000), Ev.at(3, 1_000)]);

  aligner.flush();

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "early");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [3, 2, 1]);
  assert.equal(aligner.stats.releasedEarly, 3);
  assert.equal(aligner.heldCount, 0);
});

// The .NET suite runs this with two threads; JavaScript has one, so the connection's batches and the player's ticks
// interleave at random instead: each event once, never before playback reaches it.
test("interleaved batches from the connection and ticks from the player release each event once, never early", () => {
  const count = 20_000;
  const aligner = new PlaybackAligner({ maxHeld: count });
  const seen = new Uint8Array(count + 1);
  let tooEarly = 0;
  aligner.onReleased((r) => {
    const position = aligner.position;
    for (const e of r.events) {
      seen[e.id]!++;
      if (r.kind === "due" && typeof e.streamTs === "number" && (position === null || position.streamMs < e.streamTs)) {
        tooEarly++;
      }
    }
  });
  const rng = seeded(11);
  let id = 1;
  let ms = 0;
  while (id <= count || ms <= count) {
    if (id <= count && (ms > count || rng() < 0.5)) {
      const n = Math.min(next(rng, 1, 40), count - id + 1);
      aligner.add(Array.from({ length: n }, (_, k) => (id + k) % 13 === 0 ? Ev.noClock(id + k) : Ev.at(id + k, id + k)));
      id += n;
    } else {
      aligner.updatePosition(at(1, ms));
      ms += 7;
    }
  }

  aligner.updatePosition(at(1, count));
  assert.equal(tooEarly, 0);
  assert.ok(seen.slice(1).every((n) => n === 1));
  assert.equal(aligner.heldCount, 0);
});
