import assert from "node:assert/strict";
import { test } from "node:test";
import { PlaybackAligner } from "../src/aligner/playbackAligner.js";
import { Ev, ReleaseLog, next, range, seeded } from "./helpers.js";

test("ten thousand events ahead with maxHeld 1000 hold at most 1000, release the oldest early and lose none", () => {
  const aligner = new PlaybackAligner({ maxHeld: 1_000 });
  const log = new ReleaseLog(aligner);
  let maxHeld = 0;
  aligner.onReleased(() => (maxHeld = Math.max(maxHeld, aligner.heldCount)));
  aligner.updatePosition({ epoch: 1, streamMs: 0 });

  // 10,000 events 100-110 s ahead of playback, in a shuffled arrival order, in batches of 1 to 50.
  const rng = seeded(7);
  const events = range(1, 10_000)
    .map((i) => (i % 10 === 0 ? Ev.gift(i, 100_000 + i) : Ev.at(i, 100_000 + i)))
    .map((e) => ({ e, k: rng() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.e);
  for (let i = 0; i < events.length; ) {
    const n = Math.min(next(rng, 1, 51), events.length - i);
    aligner.add(events.slice(i, i + n));
    i += n;
    maxHeld = Math.max(maxHeld, aligner.heldCount);
  }

  assert.ok(maxHeld <= 1_000, `held ${maxHeld}`);
  assert.equal(aligner.heldCount, 1_000);
  const early = log.events.filter((r) => r.kind === "early").map((r) => r.event.id);
  assert.equal(early.length, 9_000);
  assert.equal(aligner.stats.releasedEarly, 9_000);

  // The oldest (smallest stream times) went early; the 1,000 nearest the live edge are still held.
  assert.deepEqual([...early].sort((a, b) => a - b), range(1, 9_000));
  for (const r of log.releases.filter((r) => r.kind === "early")) {
    const ts = r.events.map((e) => e.streamTs!);
    assert.deepEqual(ts, [...ts].sort((a, b) => a - b));
  }

  for (let ms = 100; ms <= 111_000; ms += 100) {
    aligner.updatePosition({ epoch: 1, streamMs: ms });
  }

  const ids = log.ids;
  assert.equal(ids.length, 10_000);
  assert.deepEqual([...ids].sort((a, b) => a - b), range(1, 10_000));
  assert.deepEqual(log.events.filter((r) => r.kind === "due").map((r) => r.event.id), range(9_001, 1_000));
});

test("a new event older than everything held is itself released early when the buffer is full", () => {
  const aligner = new PlaybackAligner({ maxHeld: 2 });
  const log = new ReleaseLog(aligner);
  aligner.updatePosition({ epoch: 1, streamMs: 0 });
  aligner.add([Ev.at(1, 5_000), Ev.at(2, 6_000)]);

  aligner.add(Ev.gift(3, 1_000));

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "early");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [3]);
});

for (const [maxHeld, forward, backward, remembered] of [
  [0, 0, 0, 0],
  [1, -1, 0, 0],
  [1, 0, -1, 0],
  [1, 0, 0, -1],
  [1.5, 0, 0, 0],
  [Number.NaN, 0, 0, 0],
] as const) {
  test(`options out of range are refused (${maxHeld}, ${forward}, ${backward}, ${remembered})`, () => {
    assert.throws(
      () => new PlaybackAligner({ maxHeld, forwardSeekThresholdMs: forward, backwardSeekThresholdMs: backward, rememberedIds: remembered }),
      RangeError,
    );
  });
}
