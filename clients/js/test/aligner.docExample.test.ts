import assert from "node:assert/strict";
import { test } from "node:test";
import { PlaybackAligner, type ReleaseKind } from "../src/aligner/playbackAligner.js";
import type { RoomEvent } from "../src/events.js";
import { Ev, FakeReplay, ReleaseLog, range } from "./helpers.js";

// The example timeline of docs/alignment.md, row by row: if this fails, the page or the code is wrong.
test("the example timeline in docs/alignment.md plays as written", async () => {
  // #51-#90 at (2, 10000) ... (2, 49000): #n at (n - 41) s.
  const epoch2 = range(51, 40).map((n) => Ev.at(n, (n - 41) * 1_000, 2));
  const replay = new FakeReplay(epoch2);
  replay.gate = FakeReplay.gate();
  replay.extra.push(epoch2.find((e) => e.id === 80)!);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  const online: RoomEvent = { roomId: "r1", id: 0, seq: null, lane: "system", type: "online", online: 12, serverTs: 1 };

  const expect = (kind: ReleaseKind, ...ids: number[]) => {
    assert.equal(log.releases.length, 1, JSON.stringify(log.releases.map((r) => [r.kind, r.events.map((e) => e.id)])));
    assert.equal(log.releases[0]!.kind, kind);
    assert.deepEqual(log.releases[0]!.events.map((e) => e.id), ids);
    log.clear();
  };
  const at = (epoch: number, streamMs: number) => ({ epoch, streamMs });

  aligner.updatePosition(at(1, 2_000));
  aligner.add([Ev.at(41, 10_000), Ev.gift(42, 10_020), online]);
  expect("due", 0);
  aligner.updatePosition(at(1, 9_900));
  assert.equal(log.releases.length, 0);
  aligner.updatePosition(at(1, 10_000));
  expect("due", 41);
  aligner.updatePosition(at(1, 10_100));
  expect("due", 42);
  aligner.add([Ev.at(49, 11_900), Ev.at(50, 300, 2)]);
  aligner.add([Ev.gift(42, 10_020)]);
  assert.equal(log.releases.length, 0);
  assert.equal(aligner.stats.duplicates, 1);
  aligner.updatePosition(at(1, 11_900));
  expect("due", 49);
  aligner.updatePosition(at(2, 0));
  assert.equal(log.releases.length, 0);
  aligner.updatePosition(at(2, 300));
  expect("due", 50);

  for (let ms = 400; ms <= 5_000; ms += 100) {
    aligner.updatePosition(at(2, ms));
  }

  aligner.add(epoch2);
  assert.equal(log.releases.length, 0);

  await aligner.seek(at(2, 30_000));
  expect("skipped", ...range(51, 21));
  for (let ms = 30_100; ms <= 35_000; ms += 100) {
    aligner.updatePosition(at(2, ms));
  }

  assert.deepEqual(log.ids, [72, 73, 74, 75, 76]);
  log.clear();

  aligner.updatePosition(at(2, 15_000));
  assert.deepEqual([replay.calls[0]!.epoch, replay.calls[0]!.fromMs, replay.calls[0]!.toMs], [2, 15_000, 35_000]);
  aligner.add(Ev.at(91, 55_000, 2));
  assert.equal(log.releases.length, 0);
  replay.gate.open();
  await aligner.pendingReplay;
  expect("due", 56);

  for (let ms = 15_100; ms <= 56_000; ms += 100) {
    aligner.updatePosition(at(2, ms));
  }

  assert.deepEqual(log.ids, range(57, 35));
  assert.equal(aligner.heldCount, 0);
});
