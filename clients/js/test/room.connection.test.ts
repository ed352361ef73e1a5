import assert from "node:assert/strict";
import { test } from "node:test";
import { LiveImError } from "../src/errors.js";
import type { RoomEvent } from "../src/events.js";
import { LiveImRoom, type RoomOptions, type StateChange } from "../src/room.js";
import { FakeCluster, FakeFetch, defaultScript, delay, eventually, json, serverError } from "./fakes.js";
import { range, seeded } from "./helpers.js";

const gift = (id: number, seq: number, roomId = "r1"): RoomEvent => ({
  roomId, id, seq, lane: "gift", type: "gift", gift: { giftId: "rose", count: 1 },
  from: { userId: "u1", name: "Ann", role: "viewer" }, serverTs: 1_763_740_000_000 + id, streamTs: null,
});
const chat = (id: number, text = "hi " + id): RoomEvent => ({
  roomId: "r1", id, seq: null, lane: "chat", type: "chat", text, serverTs: 1_763_740_000_000 + id, streamTs: null,
});

/** Two gateways; assignment answers whatever `assignTo` says (gw1 by default). */
function setup(options: Partial<RoomOptions> = {}) {
  const cluster = new FakeCluster();
  const gw1 = cluster.add("gw1");
  const gw2 = cluster.add("gw2");
  const http = new FakeFetch();
  const state = { assignTo: gw1 };
  http.assign(() => json(200, { url: state.assignTo.url, gatewayId: state.assignTo.id }));
  const room = new LiveImRoom({
    serviceUrl: "http://roomservice.test:5100",
    roomId: "r1",
    token: "t0k3n",
    fetch: http.fetch,
    hubFactory: cluster.hubFactory,
    backoff: { initialMs: 20, maxMs: 100 },
    gapRepairDelayMs: 50,
    likeFlushMs: 20,
    failedGatewayAvoidMs: 100,
    random: seeded(1),
    ...options,
  });
  const events: RoomEvent[] = [];
  const states: StateChange[] = [];
  const errors: LiveImError[] = [];
  room.on("events", (batch) => events.push(...batch));
  room.on("state", (s) => states.push(s));
  room.on("error", (e) => errors.push(e));
  return { cluster, gw1, gw2, http, state, room, events, states, errors, ids: () => events.map((e) => e.id) };
}

test("start asks assignment for a gateway, connects with the token, joins fresh and reports connecting then connected", async () => {
  const { room, gw1, http, states } = setup();

  await room.start();

  assert.equal(http.count("/api/gateways/assign"), 1);
  assert.match(http.urls[0]!, /\/api\/gateways\/assign\?roomId=r1$/);
  assert.equal(gw1.last.url, "http://gw1.test:5101/hubs/room");
  assert.equal(gw1.last.token, "t0k3n");
  assert.deepEqual(gw1.last.invocations[0], { method: "JoinRoom", args: ["r1", null] });
  assert.deepEqual(states.map((s) => s.state), ["connecting", "connected"]);
  assert.equal(states[1]!.gatewayUrl, gw1.url);
  assert.equal(room.state, "connected");
  assert.equal(room.roomState.online, 1);
  assert.equal(room.roomState.gatewayId, "gw1");
  await room.close();
  assert.equal(room.state, "closed");
  assert.ok(gw1.last.stopped);
});

test("events out of order and duplicates within and across batches reach the app once, in arrival order", async () => {
  const { room, gw1, ids, events } = setup();
  await room.start();

  gw1.last.push("events", [chat(5), gift(4, 2), chat(5), gift(3, 1)]);
  gw1.last.push("events", [gift(4, 2), chat(6), gift(3, 1), chat(5)]);
  // The same seq under another id (a republish must never be delivered twice) and an online count (id 0, always new).
  gw1.last.push("events", [{ ...gift(40, 2) }, { roomId: "r1", id: 0, seq: null, lane: "system", type: "online", online: 7, serverTs: 1 }]);

  assert.deepEqual(ids(), [5, 4, 3, 6, 0]);
  assert.equal(room.stats.duplicates, 5);
  assert.equal(room.lastSeq, 2);
  assert.equal(room.roomState.online, 7);
  assert.equal(events.at(-1)!.type, "online");
  await room.close();
});

test("malformed events are dropped and counted, and the rest of the batch is delivered", async () => {
  const { room, gw1, ids } = setup();
  await room.start();
  const bad: unknown[] = [
    null,
    42,
    "chat",
    [],
    { ...chat(1), roomId: "other" },
    { ...chat(2), id: -1 },
    { ...chat(3), id: 1.5 },
    { ...chat(4), id: "4" },
    { ...chat(5), id: 2 ** 60 },
    { ...gift(6, 1), seq: "1" },
    { ...gift(7, 1), seq: 0 },
    { ...gift(8, 1), seq: null },
    { ...gift(9, 1), gift: { giftId: "rose" } },
    { ...chat(10), text: 7 },
    { ...chat(11), serverTs: "now" },
    { ...chat(12), streamTs: "5" },
    { ...chat(13), from: "Ann" },
    { roomId: "r1", id: 14, seq: null, lane: "like", type: "likes", likes: -3, serverTs: 1 },
    { roomId: "r1", id: 0, seq: null, lane: "system", type: "online", online: "many", serverTs: 1 },
    { ...chat(15), lane: undefined },
  ];

  gw1.last.push("events", [chat(100), ...bad, chat(101), { ...chat(102), type: "sticker", sticker: "cat" }]);
  gw1.last.push("events", "not an array");
  gw1.last.push("events", { 0: chat(103) });

  // Types this client does not know pass through (the app ignores them); everything malformed is counted.
  assert.deepEqual(ids(), [100, 101, 102]);
  assert.equal(room.stats.malformed, bad.length + 2);
  assert.equal(room.lastSeq, 0);
  assert.equal(room.state, "connected");
  await room.close();
});

test("a huge batch of 100,000 events is delivered once, in one call, in bounded time and memory", async () => {
  const { room, gw1, events } = setup({ rememberedIds: 5_000 });
  await room.start();
  const batch = range(1, 100_000).map((i) => (i % 10 === 0 ? gift(i, i / 10) : chat(i)));
  const started = Date.now();

  gw1.last.push("events", batch);
  gw1.last.push("events", batch.slice(-1_000));

  assert.equal(events.length, 100_000);
  assert.equal(room.stats.duplicates, 1_000);
  assert.equal(room.lastSeq, 10_000);
  assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  await room.close();
});

test("a gap in the reliable seqs that stays open is repaired by joining again with lastSeq, and a gap that fills in time is not", async () => {
  const { room, gw1, ids } = setup();
  gw1.script = (hub, method, args) => {
    if (method === "JoinRoom" && args[1] === 3) {
      // History after lastSeq 3: seq 4, and 5 again (the gateway sends what history holds; the client drops repeats).
      setTimeout(() => hub.push("events", [gift(40, 4), gift(50, 5)]), 5);
      return { roomId: "r1", seq: 5, recovered: true, online: 2, serverTime: Date.now() };
    }

    return defaultScript(hub, method, args);
  };
  const gaps: unknown[] = [];
  room.on("gap", (g) => gaps.push(g));
  await room.start();

  // 3 arrives late (two RoomService instances raced): filled within the delay, no repair.
  gw1.last.push("events", [gift(10, 1), gift(21, 3)]);
  await delay(10);
  gw1.last.push("events", [gift(20, 2)]);
  await delay(80);
  assert.equal(room.stats.gapRepairs, 0);
  assert.equal(room.lastSeq, 3);

  // A real gap: 5 arrives, 4 never does.
  gw1.last.push("events", [gift(50, 5)]);
  await eventually(() => room.lastSeq === 5, "the gap 4..4 is repaired");
  assert.equal(room.stats.gapRepairs, 1);
  assert.deepEqual(gw1.last.invocations.filter((i) => i.method === "JoinRoom").map((i) => i.args[1]), [null, 3]);
  assert.deepEqual(ids(), [10, 21, 20, 50, 40]);
  assert.deepEqual(gaps, [{ fromSeq: 4, toSeq: 5, recovered: null }]);
  await room.close();
});

test("a gap history no longer holds is reported lost and not repaired again and again", async () => {
  const { room, gw1 } = setup();
  gw1.script = (hub, method, args) =>
    method === "JoinRoom" && args[1] !== null
      ? { roomId: "r1", seq: 9, recovered: false, online: 2, serverTime: Date.now() }
      : defaultScript(hub, method, args);
  const gaps: unknown[] = [];
  room.on("gap", (g) => gaps.push(g));
  await room.start();

  gw1.last.push("events", [gift(10, 1), gift(90, 9)]);
  await eventually(() => gaps.length === 2, "the repair is tried and the loss reported");
  await delay(200);

  assert.deepEqual(gaps, [{ fromSeq: 2, toSeq: 9, recovered: null }, { fromSeq: 2, toSeq: 9, recovered: false }]);
  assert.equal(room.stats.gapRepairs, 1);
  assert.equal(room.lastSeq, 9);
  await room.close();
});

test("after a dropped connection the room reconnects through assignment and resumes with lastSeq, handing nothing over twice", async () => {
  const { room, gw1, gw2, state, ids, states } = setup();
  gw2.script = (hub, method, args) => {
    if (method === "JoinRoom") {
      // The resume: history after lastSeq (2, and 1 again), then live events.
      hub.push("events", [gift(10, 1), gift(20, 2), gift(30, 3)]);
      return { roomId: "r1", seq: 3, recovered: true, online: 5, serverTime: Date.now() };
    }

    return defaultScript(hub, method, args);
  };
  await room.start();
  gw1.last.push("events", [gift(10, 1), chat(15)]);

  state.assignTo = gw2;
  gw1.last.drop("WebSocket closed with status code: 1006 (no reason given).");

  await eventually(() => room.state === "connected" && room.roomState.gatewayId === "gw2", "connected to gw2");
  assert.deepEqual(gw2.last.invocations[0], { method: "JoinRoom", args: ["r1", 1] });
  assert.deepEqual(ids(), [10, 15, 20, 30]);
  assert.deepEqual(states.map((s) => [s.state, s.reason]), [["connecting", null], ["connected", null], ["reconnecting", "dropped"], ["connected", "dropped"]]);
  assert.equal(room.stats.reconnects, 1);
  assert.equal(room.roomState.online, 5);
  await room.close();
});

test("a server that closes the connection in the middle of the join is retried until a join succeeds", async () => {
  const { room, gw1, errors } = setup();
  let joins = 0;
  gw1.script = (hub, method, args) => {
    if (method === "JoinRoom" && ++joins <= 2) {
      setTimeout(() => hub.drop("Server returned an error on close: unavailable: the gateway is restarting"), 1);
      return new Promise(() => {});
    }

    return defaultScript(hub, method, args);
  };

  await room.start();

  assert.equal(joins, 3);
  assert.equal(gw1.hubs.length, 3);
  assert.ok(gw1.hubs[0]!.stopped && gw1.hubs[1]!.stopped && !gw1.hubs[2]!.stopped);
  assert.equal(room.state, "connected");
  assert.deepEqual(errors.map((e) => e.code), ["connection_lost", "connection_lost"]);
  await room.close();
});

test("an assignment endpoint that answers 503 is asked again after its Retry-After, and the coded error is reported", async () => {
  const { room, http, gw1, errors } = setup();
  let asked = 0;
  http.assign(() =>
    ++asked === 1
      ? json(503, { error: "unavailable", message: "no gateway available (no gateway has reported); retry later" }, { "retry-after": "1" })
      : json(200, { url: gw1.url, gatewayId: "gw1" }));
  const started = Date.now();

  await room.start();

  assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms`);
  assert.equal(asked, 2);
  assert.equal(errors[0]!.code, "unavailable");
  assert.equal(errors[0]!.status, 503);
  assert.equal(errors[0]!.retryAfterMs, 1_000);
  await room.close();
});

test("assignment answers that are not an assignment (HTML, a bad url, 500) are retried with backoff, not trusted", async () => {
  const { room, http, gw1, errors } = setup();
  const answers = [
    json(200, "<html>proxy</html>"),
    json(200, { url: "javascript:alert(1)", gatewayId: "x" }),
    json(500, "oops"),
    json(200, { url: gw1.url, gatewayId: "gw1" }),
  ];
  http.assign(() => answers.shift()!);

  await room.start();

  assert.deepEqual(errors.map((e) => e.code), ["protocol", "protocol", "unknown"]);
  assert.equal(room.roomState.gatewayId, "gw1");
  await room.close();
});

test("a join refused for good (invalid_room, banned) rejects start and closes the room", async () => {
  for (const text of ["invalid_room: room id must match ^[A-Za-z0-9_-]{1,64}$", "banned: you are banned from this room"]) {
    const { room, gw1, states } = setup();
    gw1.script = (hub, method, args) => {
      if (method === "JoinRoom") throw serverError(text);
      return defaultScript(hub, method, args);
    };

    await assert.rejects(room.start(), (e: LiveImError) => e instanceof LiveImError && e.code === text.split(":")[0]);
    assert.equal(room.state, "closed");
    assert.equal(states.at(-1)!.error!.code, text.split(":")[0]);
    assert.equal(gw1.hubs.length, 1);
  }
});

test("a room id that is not a room id is refused before anything is asked", () => {
  for (const roomId of ["", "a b", "x".repeat(65), "r1.>", 5 as never]) {
    assert.throws(() => new LiveImRoom({ serviceUrl: "http://s", roomId, fetch: new FakeFetch().fetch }), (e: LiveImError) => e.code === "invalid_room");
  }
});

test("a banned close message closes the room for good; any other close reconnects", async () => {
  const { room, gw1, states } = setup();
  await room.start();

  gw1.last.drop("Server returned an error on close: slow_consumer: the connection fell behind its room");
  await eventually(() => room.state === "connected" && gw1.hubs.length === 2, "reconnected after slow_consumer");
  gw1.last.drop("Server returned an error on close: banned: you were banned from this room");
  await delay(100);

  assert.equal(room.state, "closed");
  assert.equal(gw1.hubs.length, 2);
  assert.deepEqual(states.map((s) => s.reason), [null, null, "slow_consumer", "slow_consumer", "banned"]);
});

test("a connection refused at the door backs off with jitter and tries again until a gateway takes it", async () => {
  const { room, gw1, errors } = setup({ backoff: { initialMs: 10, maxMs: 40 } });
  gw1.refuseConnections = true;
  setTimeout(() => (gw1.refuseConnections = false), 100);

  await room.start();

  assert.ok(errors.length >= 1, `${errors.length} failed attempts`);
  assert.ok(errors.every((e) => e.code === "connection_lost"));
  await room.close();
});

test("close during connecting stops retrying and rejects start with closed", async () => {
  const { room, gw1 } = setup();
  gw1.refuseConnections = true;
  const started = room.start();
  await delay(30);

  await room.close();

  await assert.rejects(started, (e: LiveImError) => e.code === "closed");
  const hubs = gw1.hubs.length;
  await delay(150);
  assert.equal(gw1.hubs.length, hubs);
});

test("the first connection goes to gatewayUrl when given; later ones through assignment", async () => {
  const { room, gw1, gw2, http } = setup({ gatewayUrl: "http://gw2.test:5101" });
  await room.start();
  assert.equal(http.count("/api/gateways/assign"), 0);
  assert.equal(gw2.hubs.length, 1);

  gw2.last.drop();
  await eventually(() => room.state === "connected" && gw1.hubs.length === 1, "reconnected through assignment");
  assert.equal(http.count("/api/gateways/assign"), 1);
  await room.close();
});

test("after a crash the gateway that failed is not taken again at once while assignment still hands it out", async () => {
  const { room, gw1, gw2, http, state } = setup({ failedGatewayAvoidMs: 5_000 });
  await room.start();
  let asked = 0;
  http.assign(() => json(200, ++asked <= 1 ? { url: gw1.url, gatewayId: "gw1" } : { url: gw2.url, gatewayId: "gw2" }));
  void state;

  gw1.last.drop();
  await eventually(() => room.state === "connected", "reconnected");

  // gw1 just dropped: its first re-assignment was set aside, the second (gw2) taken.
  assert.equal(gw1.hubs.length, 1);
  assert.equal(room.roomState.gatewayId, "gw2");
  await room.close();
});

test("after a crash the assignment request names the gateway that failed, so RoomService can answer another one at once", async () => {
  const { room, gw1, gw2, http } = setup({ failedGatewayAvoidMs: 5_000 });
  await room.start();
  http.assign((url) => {
    const avoided = url.searchParams.getAll("avoid");
    return json(200, avoided.includes("gw1") ? { url: gw2.url, gatewayId: "gw2" } : { url: gw1.url, gatewayId: "gw1" });
  });

  gw1.last.drop();
  await eventually(() => room.state === "connected" && room.roomState.gatewayId === "gw2", "reconnected to gw2");

  assert.equal(gw1.hubs.length, 1);
  assert.equal(http.count("/api/gateways/assign"), 2); // the start, then one answer: no request set aside
  assert.match(http.urls[1]!, /\/api\/gateways\/assign\?roomId=r1&avoid=gw1$/);
  await room.close();
});

test("a first connection made to gatewayUrl learns the gateway's id from JoinRoom, so a crash of it is avoided too", async () => {
  const { room, gw1, gw2, http } = setup({ gatewayUrl: "http://gw2.test:5101", failedGatewayAvoidMs: 5_000 });
  gw2.script = (hub, method, args) =>
    method === "JoinRoom" ? { roomId: args[0], seq: 0, recovered: true, online: 1, serverTime: Date.now(), gatewayId: "gw2" } : defaultScript(hub, method, args);
  await room.start();
  assert.equal(room.roomState.gatewayId, "gw2");
  http.assign((url) => json(200, url.searchParams.getAll("avoid").includes("gw2") ? { url: gw1.url, gatewayId: "gw1" } : { url: gw2.url, gatewayId: "gw2" }));

  gw2.last.drop();
  await eventually(() => room.state === "connected" && room.roomState.gatewayId === "gw1", "reconnected to gw1");
  assert.equal(gw2.hubs.length, 1);
  assert.match(http.urls.at(-1)!, /avoid=gw2$/);
  await room.close();
});
