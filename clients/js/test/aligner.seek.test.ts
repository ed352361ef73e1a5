import assert from "node:assert/strict";
import { test } from "node:test";
import { PlaybackAligner, type ReplayFailure } from "../src/aligner/playbackAligner.js";
import type { RoomEvent } from "../src/events.js";
import { endOfEpoch } from "../src/http.js";
import { Ev, FakeReplay, ReleaseLog, range, settle } from "./helpers.js";

const at = (epoch: number, streamMs: number) => ({ epoch, streamMs });

// One event every 100 ms of stream time, from 0 to toMs: id = ts / 100 + 1.
const stream = (toMs = 100_000): RoomEvent[] =>
  range(0, toMs / 100 + 1).map((i) => (i % 7 === 0 ? Ev.gift(i + 1, i * 100) : Ev.at(i + 1, i * 100)));

function play(aligner: PlaybackAligner, log: ReleaseLog, fromMs: number, toMs: number): void {
  for (let ms = fromMs; ms <= toMs; ms += 100) {
    log.playbackMs = ms;
    aligner.updatePosition(at(1, ms));
  }
}

test("a jump of 60 s forward releases what it skips as one skipped batch", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.add(stream());
  play(aligner, log, 0, 10_000);
  log.clear();

  aligner.updatePosition(at(1, 70_000));

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "skipped");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), range(102, 600));
  assert.equal(aligner.stats.releasedSkipped, 600);

  log.clear();
  play(aligner, log, 70_100, 70_300);
  assert.deepEqual(log.ids, [702, 703, 704]);
  assert.ok(log.releases.every((r) => r.kind === "due"));
});

test("an explicit seek forward is a skip whatever its length", async () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.add(stream());
  play(aligner, log, 0, 10_000);
  log.clear();

  await aligner.seek(at(1, 10_500));

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "skipped");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), [102, 103, 104, 105, 106]);
});

test("a jump forward within the threshold is playback catching up, not a skip", () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.add(stream());
  play(aligner, log, 0, 10_000);
  log.clear();

  aligner.updatePosition(at(1, 14_000));

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "due");
  assert.equal(log.releases[0]!.events.length, 40);
});

test("a seek 30 s back replays the window and releases it again once while live events flow", async () => {
  const events = stream(60_000);
  const replay = new FakeReplay(events);
  replay.gate = FakeReplay.gate();
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  const failures: ReplayFailure[] = [];
  aligner.onReplayFailed((f) => failures.push(f));
  aligner.add(events);
  play(aligner, log, 0, 40_000);
  assert.equal(log.ids.length, 401);
  log.clear();

  log.playbackMs = 10_000;
  let seekDone = false;
  const seek = aligner.seek(at(1, 10_000)).then(() => (seekDone = true));

  assert.equal(replay.calls.length, 1);
  assert.deepEqual([replay.calls[0]!.epoch, replay.calls[0]!.fromMs, replay.calls[0]!.toMs], [1, 10_000, 40_000]);
  await settle();
  assert.equal(seekDone, false);

  // During the fetch: live events keep coming (ahead of playback, and one without a clock), and the player ticks on.
  aligner.add([Ev.at(1_001, 60_100), Ev.noClock(1_002), Ev.gift(1_003, 60_200)]);
  play(aligner, log, 10_100, 10_200);
  assert.deepEqual(log.ids, [1_002]);

  // The answer overlaps what is held (45 s, 60.1 s) and repeats an event: neither comes out twice.
  replay.extra.push(Ev.at(451, 45_000), Ev.at(1_001, 60_100), Ev.at(150, 14_900));
  replay.gate.open();
  await seek;

  // What playback passed during the fetch (10.0-10.2 s) is due at once; the rest waits for playback.
  assert.deepEqual(log.ids, [1_002, 101, 102, 103]);
  play(aligner, log, 10_300, 61_000);

  const pass = log.events.filter((r) => r.event.id !== 1_002);
  assert.deepEqual(pass.map((r) => r.event.id), [...range(101, 501), 1_001, 1_003]);
  for (const r of pass) {
    assert.ok(r.playbackMs! >= r.event.streamTs!, `${r.event.id} released at ${r.playbackMs}`);
    assert.equal(r.kind, "due");
  }

  assert.equal(failures.length, 0);
  assert.equal(aligner.stats.duplicates, 3);
  assert.equal(aligner.heldCount, 0);
});

test("a position 30 s behind the last is detected as a seek back", () => {
  const replay = new FakeReplay([]);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  aligner.updatePosition(at(3, 40_000));

  aligner.updatePosition(at(3, 10_000));

  assert.equal(replay.calls.length, 1);
  assert.deepEqual([replay.calls[0]!.epoch, replay.calls[0]!.fromMs, replay.calls[0]!.toMs], [3, 10_000, 40_000]);
  assert.deepEqual(aligner.position, at(3, 10_000));
  assert.equal(aligner.stats.replayRequests, 1);
});

test("a small step back is jitter and neither replays nor moves playback", () => {
  const replay = new FakeReplay([]);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 40_000));

  aligner.updatePosition(at(1, 39_200));
  aligner.add(Ev.at(1, 39_500));

  assert.equal(replay.calls.length, 0);
  assert.deepEqual(aligner.position, at(1, 40_000));
  assert.deepEqual(log.ids, [1]);
});

test("a seek back into an older epoch replays to the end of that epoch", () => {
  const replay = new FakeReplay([]);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(2, 5_000));
  aligner.add(Ev.at(1, 6_000, 2));

  aligner.updatePosition(at(1, 30_000));

  assert.equal(replay.calls.length, 1);
  assert.deepEqual([replay.calls[0]!.epoch, replay.calls[0]!.fromMs, replay.calls[0]!.toMs], [1, 30_000, endOfEpoch]);

  // The live event of epoch 2 now waits for playback to come back to epoch 2.
  assert.equal(log.releases.length, 0);
  assert.equal(aligner.heldCount, 1);
});

test("coming back into an epoch playback had reached before a seek back replays what it saw there", () => {
  const replay = new FakeReplay([Ev.at(1, 2_000, 2), Ev.at(2, 4_000, 2)]);
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(2, 5_000));
  aligner.updatePosition(at(1, 30_000));

  aligner.updatePosition(at(2, 0));

  assert.deepEqual([replay.calls[1]!.epoch, replay.calls[1]!.fromMs, replay.calls[1]!.toMs], [2, 0, 5_000]);
  return aligner.pendingReplay.then(() => {
    aligner.updatePosition(at(2, 2_000));
    assert.deepEqual(log.ids, [1]);
  });
});

test("a second seek back abandons the first replay and asks up to where playback had been", async () => {
  const events = stream(60_000);
  const replay = new FakeReplay(events);
  replay.gate = FakeReplay.gate();
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.add(events);
  play(aligner, log, 0, 40_000);
  log.clear();

  const first = aligner.seek(at(1, 10_000));
  const gate = replay.gate;
  replay.gate = null;
  const second = aligner.seek(at(1, 5_000));

  // Not [5 s, 10 s]: the first fetch is abandoned, and 10-40 s was released in the earlier pass only.
  assert.equal(replay.calls[0]!.signal.aborted, true);
  assert.deepEqual([replay.calls[1]!.fromMs, replay.calls[1]!.toMs], [5_000, 40_000]);
  await second;
  gate.open();
  await first;

  play(aligner, log, 5_000, 41_000);
  const ids = log.ids;
  assert.deepEqual(ids, [...new Set(ids)]);
  assert.deepEqual(ids, range(51, 361));
});

test("a seek forward while a replay is fetched releases what it passed as skipped when the replay arrives", async () => {
  const events = stream(60_000);
  const replay = new FakeReplay(events);
  replay.gate = FakeReplay.gate();
  const aligner = new PlaybackAligner({ replay: replay.fetch });
  const log = new ReleaseLog(aligner);
  aligner.add(events);
  play(aligner, log, 0, 40_000);
  log.clear();

  const back = aligner.seek(at(1, 10_000));
  void aligner.seek(at(1, 30_000));
  assert.equal(log.releases.length, 0);
  replay.gate.open();
  await back;

  assert.equal(log.releases.length, 1);
  assert.equal(log.releases[0]!.kind, "skipped");
  assert.deepEqual(log.releases[0]!.events.map((e) => e.id), range(101, 201));
  log.clear();
  play(aligner, log, 30_100, 40_000);
  assert.deepEqual(log.ids, range(302, 100));
});

test("without a replay source a seek back moves playback and releases new events again by time", async () => {
  const aligner = new PlaybackAligner();
  const log = new ReleaseLog(aligner);
  aligner.updatePosition(at(1, 40_000));

  await aligner.seek(at(1, 10_000));
  aligner.add(Ev.at(1, 20_000));

  assert.equal(log.releases.length, 0);
  aligner.updatePosition(at(1, 20_000));
  assert.deepEqual(log.ids, [1]);
});
