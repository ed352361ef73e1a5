import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay } from "../src/backoff.js";
import { LiveImError, parseServerError, toLiveImError } from "../src/errors.js";
import type { RoomEvent } from "../src/events.js";
import { LiveImRoom, newClientMsgId, type RoomOptions, type StateChange } from "../src/room.js";
import { FakeCluster, FakeFetch, defaultScript, delay, eventually, json, serverError } from "./fakes.js";
import { seeded } from "./helpers.js";

const gift = (id: number, seq: number): RoomEvent => ({
  roomId: "r1", id, seq, lane: "gift", type: "gift", gift: { giftId: "rose", count: 1 }, serverTs: 1_763_740_000_000 + id, streamTs: null,
});

function setup(options: Partial<RoomOptions> = {}) {
  const cluster = new FakeCluster();
  const gw1 = cluster.add("gw1");
  const gw2 = cluster.add("gw2");
  const http = new FakeFetch();
  const state = { assignTo: gw1 };
  http.assign(() => json(200, { url: state.assignTo.url, gatewayId: state.assignTo.id }));
  const room = new LiveImRoom({
    serviceUrl: "http://roomservice.test:5100/",
    roomId: "r1",
    token: () => Promise.resolve("fresh-token"),
    fetch: http.fetch,
    hubFactory: cluster.hubFactory,
    backoff: { initialMs: 20, maxMs: 100 },
    gapRepairDelayMs: 50,
    likeFlushMs: 20,
    failedGatewayAvoidMs: 100,
    random: seeded(2),
    ...options,
  });
  const events: RoomEvent[] = [];
  const states: StateChange[] = [];
  room.on("events", (batch) => events.push(...batch));
  room.on("state", (s) => states.push(s));
  return { cluster, gw1, gw2, http, state, room, events, states, ids: () => events.map((e) => e.id) };
}

test("a gift is retried with the same clientMsgId through rate_limited, unavailable and a dropped connection until answered", async () => {
  const { room, gw1, gw2, state } = setup();
  await room.start();
  const attempts: { gateway: string; args: unknown[]; at: number }[] = [];
  const script = (gateway: string) => (hub: Parameters<typeof defaultScript>[0], method: string, args: unknown[]) => {
    if (method !== "SendGift") return defaultScript(hub, method, args);
    attempts.push({ gateway, args, at: Date.now() });
    switch (attempts.length) {
      case 1:
        throw serverError("rate_limited: gift limit of 10/s per connection retryAfterMs=120");
      case 2:
        throw serverError("unavailable: RoomService did not answer in time");
      case 3:
        state.assignTo = gw2;
        setTimeout(() => hub.drop(), 1);
        return new Promise(() => {});
      default:
        return { id: 77, seq: 9, status: "duplicate" };
    }
  };
  gw1.script = script("gw1");
  gw2.script = script("gw2");

  const result = await room.sendGift("rose", 3);

  assert.equal(attempts.length, 4);
  const ids = new Set(attempts.map((a) => a.args[2]));
  assert.equal(ids.size, 1);
  assert.match([...ids][0] as string, /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(attempts[0]!.args.slice(0, 2), ["rose", 3]);
  assert.ok(attempts[1]!.at - attempts[0]!.at >= 115, `waited ${attempts[1]!.at - attempts[0]!.at} ms after rate_limited`);
  assert.deepEqual(attempts.map((a) => a.gateway), ["gw1", "gw1", "gw1", "gw2"]);
  assert.deepEqual(result, { id: 77, seq: 9, status: "duplicate", clientMsgId: [...ids][0] });
  await room.close();
});

test("a gift refused for good rejects at once with its code; bad arguments never reach the server", async () => {
  const { room, gw1 } = setup();
  await room.start();
  gw1.script = (hub, method, args) => {
    if (method === "SendGift") throw serverError("An unexpected error occurred invoking 'SendGift' on the server. HubException: banned: you are banned from this room");
    return defaultScript(hub, method, args);
  };

  await assert.rejects(room.sendGift("rose", 1), (e: LiveImError) => e.code === "banned" && !e.transient && e.message.startsWith("banned:"));
  for (const [giftId, count, clientMsgId] of [["", 1], ["ro se", 1], ["x".repeat(65), 1], ["rose", 0], ["rose", 10_001], ["rose", 1.5], ["rose", Number.NaN], ["rose", 1, "bad id!"]] as const) {
    await assert.rejects(room.sendGift(giftId, count, clientMsgId ? { clientMsgId } : undefined), (e: LiveImError) => e.code === "invalid_argument");
  }

  assert.equal(gw1.last.methods.filter((m) => m === "SendGift").length, 1);
  await room.close();
});

test("a gift sent while reconnecting waits for the join, and one pending at close rejects with closed", async () => {
  const { room, gw1 } = setup();
  await room.start();
  gw1.refuseConnections = true;
  gw1.last.drop();
  await eventually(() => room.state === "reconnecting", "reconnecting");

  const pending = room.sendGift("rose", 1);
  await delay(50);
  await room.close();

  await assert.rejects(pending, (e: LiveImError) => e.code === "closed");
});

test("chat errors are typed: rate_limited with retryAfterMs, muted, sampled is an answer not an error", async () => {
  const { room, gw1 } = setup();
  await room.start();
  const answers = [
    () => { throw serverError("rate_limited: chat limit of 2/s per connection retryAfterMs=431"); },
    () => { throw serverError("muted: you are muted in this room until 1763740600000"); },
    () => ({ id: 0, status: "sampled" }),
    () => { throw serverError("something without a code"); },
  ];
  gw1.script = (hub, method, args) => (method === "SendChat" ? answers.shift()!() : defaultScript(hub, method, args));

  await assert.rejects(room.sendChat("hi"), (e: LiveImError) => e.code === "rate_limited" && e.retryAfterMs === 431 && e.transient);
  await assert.rejects(room.sendChat("hi"), (e: LiveImError) => e.code === "muted" && e.retryAfterMs === undefined && !e.transient);
  assert.deepEqual(await room.sendChat("hi"), { id: 0, status: "sampled" });
  await assert.rejects(room.sendChat("hi"), (e: LiveImError) => e.code === "connection_lost");
  await assert.rejects(room.sendChat(42 as never), (e: LiveImError) => e.code === "invalid_argument");
  await room.close();
  await assert.rejects(room.sendChat("hi"), (e: LiveImError) => e.code === "closed");
});

test("an answer the client cannot read is a protocol error, not a crash", async () => {
  const { room, gw1 } = setup();
  await room.start();
  gw1.script = (hub, method, args) => (method === "SendChat" ? "ok" : method === "Mute" ? null : defaultScript(hub, method, args));

  await assert.rejects(room.sendChat("hi"), (e: LiveImError) => e.code === "protocol");
  await assert.rejects(room.mute("u9", 60), (e: LiveImError) => e.code === "protocol");
  await room.close();
});

test("likes are batched into one call per flush, at most 1000 a call, and a rate-limited batch is sent again", async () => {
  const { room, gw1 } = setup({ likeFlushMs: 30 });
  await room.start();
  let refused = false;
  gw1.script = (hub, method, args) => {
    if (method === "SendLike" && !refused) {
      refused = true;
      throw serverError("rate_limited: like limit of 10/s per connection retryAfterMs=40");
    }

    return defaultScript(hub, method, args);
  };

  for (let i = 0; i < 25; i++) room.like();
  room.like(1000);
  room.like(475);

  await eventually(() => gw1.last.invocations.filter((i) => i.method === "SendLike").length === 3, "three like calls");
  const counts = gw1.last.invocations.filter((i) => i.method === "SendLike").map((i) => i.args[0]);
  assert.deepEqual(counts, [1000, 1000, 500]);
  for (const bad of [0, -1, 1001, 2.5, Number.NaN, "3" as never]) {
    assert.throws(() => room.like(bad), (e: LiveImError) => e.code === "invalid_argument");
  }

  await room.close();
});

test("moderation calls and the stream clock report go to the hub with their arguments and typed answers", async () => {
  const { room, gw1 } = setup();
  await room.start();
  gw1.script = (hub, method, args) => (method === "ReportStreamClock" ? { epoch: 5, offsetMs: 1_700_000_000_000, newEpoch: true } : defaultScript(hub, method, args));

  await room.mute("u9", 600);
  await room.unmute("u9");
  await room.ban("u8");
  await room.unban("u8");
  await room.setSlowMode(10);
  await room.deleteMessage(42);
  assert.deepEqual(await room.reportStreamClock(1234), { epoch: 5, offsetMs: 1_700_000_000_000, newEpoch: true });

  assert.deepEqual(gw1.last.invocations.slice(1), [
    { method: "Mute", args: ["u9", 600] },
    { method: "Unmute", args: ["u9"] },
    { method: "Ban", args: ["u8"] },
    { method: "Unban", args: ["u8"] },
    { method: "SetSlowMode", args: [10] },
    { method: "DeleteMessage", args: [42] },
    { method: "ReportStreamClock", args: [1234] },
  ]);
  assert.equal(gw1.last.token, "fresh-token");
  await room.close();
});

test("a drain's reconnect hint moves the room after its delay, through assignment, keeping the old connection until the new one joined", async () => {
  const { room, gw1, gw2, state, ids, states, http } = setup();
  gw2.script = (hub, method, args) => {
    if (method === "JoinRoom") {
      // The resume on gw2: what history holds after lastSeq (2, again).
      hub.push("events", [gift(20, 2), gift(30, 3)]);
      return { roomId: "r1", seq: 3, recovered: true, online: 4, serverTime: Date.now() };
    }

    return defaultScript(hub, method, args);
  };
  await room.start();
  gw1.last.push("events", [gift(10, 1)]);
  const old = gw1.last;
  state.assignTo = gw2;
  const hinted = Date.now();

  old.push("reconnect", { reason: "draining", delayMs: 150 });
  assert.equal(room.state, "reconnecting");
  old.push("events", [gift(20, 2)]); // the old connection still delivers during the delay
  await delay(100);
  assert.equal(gw2.hubs.length, 0, "moved before the delay");
  assert.equal(old.stopped, false);

  await eventually(() => room.state === "connected", "moved");
  assert.ok(Date.now() - hinted >= 150);
  assert.equal(http.count("/api/gateways/assign"), 2);
  assert.deepEqual(gw2.last.invocations[0], { method: "JoinRoom", args: ["r1", 2] });
  assert.ok(old.stopped, "the old connection is closed after the move");
  assert.deepEqual(ids(), [10, 20, 30]);
  assert.deepEqual(states.slice(2).map((s) => [s.state, s.reason, s.gatewayUrl]), [
    ["reconnecting", "draining", gw1.url],
    ["connected", "draining", gw2.url],
  ]);
  assert.equal(room.stats.moves, 1);
  await room.close();
});

test("hostile reconnect hints are read safely: any reason moves, delays are clamped, repeats while moving are ignored", async () => {
  for (const [notice, maxWait] of [
    [{ reason: "something_new", delayMs: 10 }, 500],
    [{ delayMs: -5000 }, 500],
    [{ reason: 42, delayMs: "soon" }, 500],
    ["not an object", 500],
    [null, 500],
    [{ reason: "draining", delayMs: Number.NaN }, 500],
  ] as const) {
    const { room, gw1, gw2, state } = setup();
    await room.start();
    state.assignTo = gw2;
    const started = Date.now();

    gw1.last.push("reconnect", notice);
    gw1.last.push("reconnect", { reason: "draining", delayMs: 60_000 });

    await eventually(() => room.state === "connected" && gw2.hubs.length === 1, `moved after ${JSON.stringify(notice)}`);
    assert.ok(Date.now() - started < maxWait);
    assert.equal(room.stats.moves, 1);
    await room.close();
  }
});

test("when the draining gateway closes the connection at its deadline, the room moves at once instead of waiting out the delay", async () => {
  const { room, gw1, gw2, state } = setup();
  await room.start();
  state.assignTo = gw2;
  gw1.last.push("reconnect", { reason: "draining", delayMs: 60_000 });
  const started = Date.now();

  gw1.last.drop("Server returned an error on close: unavailable: the gateway is draining and its deadline passed");

  await eventually(() => room.state === "connected" && gw2.hubs.length === 1, "moved at the deadline");
  assert.ok(Date.now() - started < 1_000);
  await room.close();
});

test("room state follows online counts, likes, the stream clock (newer epochs only) and slow mode", async () => {
  const { room, gw1 } = setup();
  const snapshots: unknown[] = [];
  room.on("roomState", (s) => snapshots.push(s));
  await room.start();
  const base = { roomId: "r1", serverTs: 1_763_740_010_000 };

  gw1.last.push("events", [
    { ...base, id: 0, seq: null, lane: "system", type: "online", online: 12 },
    { ...base, id: 5, seq: null, lane: "like", type: "likes", likes: 7, streamTs: 10_000, streamEpoch: 1_763_740_000_000 },
    { ...base, id: 6, seq: null, lane: "like", type: "likes", likes: 3, streamTs: 0, streamEpoch: 1_763_740_000_000 },
    { ...base, id: 7, seq: 1, lane: "system", type: "slow_mode", moderation: { seconds: 30 } },
  ]);
  assert.deepEqual(room.roomState.streamClock, { epoch: 1_763_740_000_000, offsetMs: 1_763_740_000_000 });
  gw1.last.push("events", [{ ...base, id: 8, seq: null, lane: "chat", type: "chat", text: "x", serverTs: 1_763_740_020_000, streamTs: 500, streamEpoch: 1_763_740_019_500 }]);
  gw1.last.push("events", [{ ...base, id: 9, seq: null, lane: "chat", type: "chat", text: "late", streamTs: 9_000, streamEpoch: 1_763_740_000_000 }]);

  const s = room.roomState;
  assert.equal(s.online, 12);
  assert.equal(s.likes, 10);
  assert.equal(s.slowModeSeconds, 30);
  assert.deepEqual(s.streamClock, { epoch: 1_763_740_019_500, offsetMs: 1_763_740_019_500 });
  assert.equal(s.lastSeq, 1);
  const live = room.liveStreamPosition()!;
  assert.equal(live.epoch, 1_763_740_019_500);
  assert.ok(Math.abs(live.streamMs - (room.serverNow() - 1_763_740_019_500)) < 5);
  assert.ok(snapshots.length >= 3);
  await room.close();
});

test("fetchRoomInfo reads the room's stream clock after the join, before any event carries it", async () => {
  const { room, http } = setup({ fetchRoomInfo: true });
  http.routes.set("/api/rooms/r1", () => json(200, { roomId: "r1", online: 3, gateways: 1, seq: 0, live: true, stream: { epoch: 99, offsetMs: 1_000, serverTime: Date.now() } }));

  await room.start();

  await eventually(() => room.roomState.streamClock !== null, "the clock from room info");
  assert.deepEqual(room.roomState.streamClock, { epoch: 99, offsetMs: 1_000 });
  await room.close();
});

test("parseServerError reads the code, the detail and the last retryAfterMs of every shape the server sends", () => {
  const cases: [string, string | null, number | undefined][] = [
    ["rate_limited: chat limit of 2/s per connection retryAfterMs=431", "rate_limited", 431],
    ["An unexpected error occurred invoking 'SendChat' on the server. HubException: invalid_argument: text is empty", "invalid_argument", undefined],
    ["Server returned an error on close: flood: too many refusals", "flood", undefined],
    ["rate_limited: slow mode; quoted text says retryAfterMs=1 retryAfterMs=5000", "rate_limited", 5000],
    ["rate_limited: retryAfterMs=99999999999999999999", "rate_limited", undefined],
    ["Invocation canceled due to the underlying connection being closed.", null, undefined],
    ["Unknown: no", null, undefined],
    [": empty code", null, undefined],
    ["", null, undefined],
  ];
  for (const [text, code, retry] of cases) {
    const e = parseServerError(text);
    assert.equal(e?.code ?? null, code, text);
    assert.equal(e?.retryAfterMs, retry, text);
  }

  assert.equal(parseServerError(undefined), null);
  assert.equal(parseServerError("x".repeat(1_000_000) + ": y"), null);
  assert.equal(toLiveImError(new Error("socket hang up")).code, "connection_lost");
  assert.equal(toLiveImError("muted: until 5").code, "muted");
  assert.equal(new LiveImError("brand_new_code", "x").transient, true);
});

test("backoff waits are uniform in [0, min(max, initial * 2^attempt)] and hostile settings are clamped", () => {
  const rng = seeded(9);
  for (let attempt = 0; attempt < 40; attempt++) {
    const d = backoffDelay(attempt, { initialMs: 100, maxMs: 2_000 }, rng);
    assert.ok(d >= 0 && d <= Math.min(2_000, 100 * 2 ** attempt), `attempt ${attempt}: ${d}`);
  }

  assert.equal(backoffDelay(3, { initialMs: 100 }, () => 1), 800);
  assert.equal(backoffDelay(1e9, undefined, () => 0.999999), 29_999);
  assert.equal(backoffDelay(0, { initialMs: -5, maxMs: Number.NaN }, () => 1), 1);
  assert.equal(backoffDelay(-3, undefined, () => Number.NaN), 0);
  assert.ok(backoffDelay(2, { initialMs: 1e12, maxMs: 1e15 }, () => 1) <= 3_600_000);
});

test("client message ids are 22 characters of the gateway's alphabet and do not repeat", () => {
  const ids = new Set(Array.from({ length: 10_000 }, () => newClientMsgId()));
  assert.equal(ids.size, 10_000);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
});
