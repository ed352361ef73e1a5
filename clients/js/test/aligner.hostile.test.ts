import assert from "node:assert/strict";
import { test } from "node:test";
import { PlaybackAligner, type ReplayFailure } from "../src/aligner/playbackAligner.js";
import type { RoomEvent } from "../src/events.js";
import { endOfEpoch } from "../src/http.js";
import { Ev, FakeReplay, ReleaseLog, next, range, seeded } from "./helpers.js";

const at = (epoch: number, streamMs: number) => ({ epoch, streamMs });
const MAX = Number.MAX_SAFE_INTEGER;
const MIN = Number.MIN_SAFE_INTEGER;

test("negative and extreme stream times neither throw nor hold up the others", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));

  aligner.add([Ev.at(1, -5_000), Ev.at(2, MAX), Ev.at(3, MIN), Ev.at(4, 1_000)]);
  assert.deepEqual(log.ids, [1, 3]);

  aligner.updatePosition(at(1, 1_000));
  assert.deepEqual(log.ids, [1, 3, 4]);

  // The event at the end of time waits for its epoch to end (or a flush); it never blocks the ones before it.
  aligner.updatePosition(at(2, 0));
  assert.deepEqual(log.ids, [1, 3, 4, 2]);
});

test("extreme positions neither throw nor overflow the seek thresholds", () => {
  const replay = new FakeReplay([]);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.add([Ev.at(1, 0), Ev.at(2, MAX)]);

  aligner.updatePosition(at(1, MIN));
  aligner.updatePosition(at(1, MAX));
  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "skipped");
  aligner.updatePosition(at(1, MIN));
  aligner.updatePosition(at(MIN, MIN));

  assert.deepEqual([replay.calls[0]!.epoch, replay.calls[0]!.fromMs, replay.calls[0]!.toMs], [1, MIN, endOfEpoch]);
  assert.equal(replay.calls.length, 2);
});

test("positions that are not finite numbers are refused and change nothing", () => {
  const aligner = new PlaybackAligner();
  aligner.updatePosition(at(1, 1_000));
  for (const bad of [at(1, Number.NaN), at(Number.POSITIVE_INFINITY, 0), { epoch: "1", streamMs: 5 }, null]) {
    assert.throws(() => aligner.updatePosition(bad as never), RangeError);
    assert.throws(() => void aligner.seek(bad as never), RangeError);
  }

  assert.deepEqual(aligner.position, at(1, 1_000));
});

test("a stream time without an epoch has no place on the timeline and is released at once", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));

  aligner.add([{ ...Ev.at(1, 50_000), streamEpoch: null }, Ev.at(2, 50_000)]);

  assert.deepEqual(log.ids, [1]);
  assert.equal(aligner.heldCount, 1);
});

test("clock fields of the wrong type (a string, NaN, Infinity) count as no clock and release at once", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));

  aligner.add([
    { ...Ev.at(1, 50_000), streamTs: "50000" as never },
    { ...Ev.at(2, 50_000), streamTs: Number.NaN },
    { ...Ev.at(3, 50_000), streamEpoch: Number.POSITIVE_INFINITY },
    Ev.at(4, 50_000),
  ]);

  assert.deepEqual(log.ids, [1, 2, 3]);
  assert.equal(aligner.heldCount, 1);
});

test("duplicates within a batch, across batches, of held and of released events come out once", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 1_000));

  aligner.add([Ev.at(1, 500), Ev.at(1, 500), Ev.at(2, 2_000), Ev.noClock(3)]);
  aligner.add([Ev.at(2, 2_000), Ev.at(1, 500), Ev.noClock(3), Ev.at(2, 9_000)]);
  aligner.updatePosition(at(1, 10_000));
  aligner.add([Ev.at(2, 2_000), Ev.gift(4, 10_000), Ev.gift(4, 10_000)]);

  assert.deepEqual(log.ids, [1, 3, 2, 4]);
  assert.equal(aligner.stats.duplicates, 7);
});

test("released ids are remembered up to rememberedIds, then the oldest are forgotten", () => {
  const aligner = new PlaybackAligner({ rememberedIds: 2 });
  const log = new ReleaseLog(aligner);

  aligner.add([Ev.noClock(1), Ev.noClock(2), Ev.noClock(3)]);
  aligner.add([Ev.noClock(3), Ev.noClock(2), Ev.noClock(1)]);

  assert.deepEqual(log.ids, [1, 2, 3, 1]);
});

test("many seeks back and forth keep each pass complete and free of duplicates", async () => {
  const events = range(1, 600).map((i) => Ev.at(i, i * 100));
  const replay = new FakeReplay(events);
  const aligner = new PlaybackAligner({ replay: replay.fetch, rememberedIds: 100 });
  const log = new ReleaseLog(aligner);
  aligner.add(events);
  const rng = seeded(3);
  let ms = 0;
  for (let seek = 0; seek < 50; seek++) {
    log.clear();
    const target = next(rng, 0, 600) * 100;
    if (target < ms) {
      // Explicitly: a step back of 1 s or less through updatePosition is jitter, not a seek.
      await aligner.seek(at(1, target));
    }

    for (ms = target; ms <= target + 5_000; ms += 100) {
      aligner.updatePosition(at(1, ms));
    }

    ms -= 100;
    const ids = log.ids;
    assert.deepEqual(ids, [...new Set(ids)]);

    // And nothing playback went through is missing from the pass.
    for (const e of events.filter((e) => e.streamTs! > target && e.streamTs! <= ms)) {
      assert.ok(ids.includes(e.id), `pass ${seek}: ${e.id} missing`);
    }
  }
});

test("online counts all carry id 0 and are never taken for duplicates", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  const online: RoomEvent = { roomId: "r1", id: 0, seq: null, lane: "system", type: "online", online: 5, serverTs: 1 };

  aligner.add([online, { ...online, online: 6 }]);
  aligner.add({ ...online, online: 7 });

  assert.deepEqual(log.events.map((r) => r.event.online), [5, 6, 7]);
});

test("batches out of order still release in stream order", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 0));

  aligner.add([Ev.at(6, 3_000), Ev.at(5, 2_500)]);
  aligner.add([Ev.at(2, 1_000), Ev.at(1, 900)]);
  aligner.add([Ev.at(4, 2_000), Ev.at(3, 1_500)]);
  aligner.updatePosition(at(1, 5_000));

  assert.deepEqual(log.ids, [1, 2, 3, 4, 5, 6]);
});

test("null, undefined and non-objects in a batch are ignored", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);

  aligner.add([null, undefined, 42 as never, "x" as never, Ev.noClock(1)]);

  assert.deepEqual(log.ids, [1]);
});

for (const how of ["throws", "rejects", "null", "not an array"] as const) {
  test(`a broken replay source (${how}) is reported and the aligner keeps working`, async () => {
    let calls = 0;
    const aligner = new PlaybackAligner({
      replay: () => {
        calls++;
        switch (how) {
          case "throws":
            throw new Error("replay down");
          case "rejects":
            return Promise.reject(new Error("503"));
          case "null":
            return Promise.resolve(null as never);
          default:
            return Promise.resolve({ events: [] } as never);
        }
      },
    });
    const log = new ReleaseLog(aligner);
    const failures: ReplayFailure[] = [];
    aligner.onReplayFailed((f) => failures.push(f));
    aligner.updatePosition(at(1, 40_000));
    aligner.add(Ev.at(1, 41_000));

    await aligner.seek(at(1, 10_000));

    assert.equal(failures.length, 1);
    assert.deepEqual([failures[0]!.epoch, failures[0]!.fromMs, failures[0]!.toMs], [1, 10_000, 40_000]);
    assert.equal(aligner.stats.replayFailures, 1);

    // Live events and playback carry on; the next seek asks again.
    aligner.add([Ev.at(2, 10_500), Ev.noClock(3)]);
    aligner.updatePosition(at(1, 11_000));
    assert.deepEqual(log.ids, [3, 2]);
    await aligner.seek(at(1, 5_000));
    assert.equal(calls, 2);
    assert.equal(failures.length, 2);
    aligner.updatePosition(at(1, 41_000));
    assert.deepEqual(log.ids, [3, 2, 1]);
  });
}

test("a throwing release handler fails that call only, and the next call delivers the rest", () => {
  const aligner = new PlaybackAligner();
  const seen: number[] = [];
  let fail = true;
  aligner.onReleased((r) => {
    seen.push(...r.events.map((e) => e.id));
    if (fail) {
      fail = false;
      throw new Error("UI bug");
    }
  });
  aligner.updatePosition(at(1, 0));
  aligner.add([Ev.at(1, 100), Ev.at(2, 300)]);

  assert.throws(() => aligner.updatePosition(at(1, 100)), /UI bug/);
  aligner.updatePosition(at(1, 300));

  assert.deepEqual(seen, [1, 2]);
});

test("a handler may call back into the aligner and order is kept", () => {
  const aligner = new PlaybackAligner();
  const seen: number[] = [];
  aligner.onReleased((r) => {
    seen.push(...r.events.map((e) => e.id));
    if (r.events.some((e) => e.id === 1)) {
      aligner.add(Ev.noClock(3));
    }
  });

  aligner.add([Ev.noClock(1)]);
  aligner.add([Ev.noClock(2)]);

  assert.deepEqual(seen, [1, 3, 2]);
});

test("a huge batch of 200,000 events is taken in one call, bounded, and nothing is lost", () => {
  const aligner = new PlaybackAligner();
  let released = 0;
  aligner.onReleased((r) => (released += r.events.length));
  aligner.updatePosition(at(1, 0));
  const started = Date.now();

  aligner.add(range(1, 200_000).map((i) => Ev.at(i, 1_000 + (i % 5_000))));
  aligner.updatePosition(at(1, 10_000));

  assert.equal(released, 200_000);
  assert.equal(aligner.heldCount, 0);
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
});
