import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { decode, encode } from "@msgpack/msgpack";
import { WebSocketServer, type WebSocket } from "ws";
import { LiveImError } from "../src/errors.js";
import { messagePackHubFactory } from "../src/msgpack.js";
import { LiveImRoom } from "../src/room.js";
import { FakeFetch, eventually, json } from "./fakes.js";

/** SignalR's binary framing: each MessagePack message after its VarInt length. */
function record(message: unknown[]): Buffer {
  const payload = encode(message);
  const prefix: number[] = [];
  let rest = payload.length;
  do {
    const b = rest & 0x7f;
    rest >>>= 7;
    prefix.push(rest > 0 ? b | 0x80 : b);
  } while (rest > 0);
  return Buffer.concat([Buffer.from(prefix), Buffer.from(payload)]);
}

function* records(data: Buffer): Generator<unknown[]> {
  let at = 0;
  while (at < data.length) {
    let length = 0;
    let shift = 0;
    let b: number;
    do {
      b = data[at++]!;
      length |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    yield decode(data.subarray(at, at + length)) as unknown[];
    at += length;
  }
}

/**
 * A scripted SignalR hub speaking the MessagePack protocol over a real WebSocket, as the gateway does: JSON handshake,
 * then binary records; events are maps with the JSON field names.
 */
class ScriptedMessagePackHub {
  readonly server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  readonly handshakes: string[] = [];
  readonly calls: { socket: WebSocket; invocationId: string | null; target: string; arguments: unknown[] }[] = [];
  onCall: (call: ScriptedMessagePackHub["calls"][number]) => void = () => {};

  constructor() {
    this.server.on("connection", (socket) => {
      let handshaken = false;
      socket.on("message", (data, isBinary) => {
        const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        if (!handshaken) {
          handshaken = true;
          this.handshakes.push(bytes.toString("utf8"));
          socket.send("{}\x1e");
          return;
        }

        assert.ok(isBinary, "a MessagePack client sends binary messages");
        for (const message of records(bytes)) {
          if (message[0] === 1) {
            const call = { socket, invocationId: (message[2] as string | null) ?? null, target: message[3] as string, arguments: message[4] as unknown[] };
            this.calls.push(call);
            this.onCall(call);
          }
        }
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

test("over MessagePack: the room joins, receives events as maps, gets results and coded errors, and stops when banned", async () => {
  const hub = new ScriptedMessagePackHub();
  await new Promise<void>((resolve) => hub.server.once("listening", () => resolve()));
  const http = new FakeFetch();
  http.assign(() => json(200, { url: hub.url, gatewayId: "gw-pack" }));
  hub.onCall = (call) => {
    if (call.target === "JoinRoom") {
      const gift = { roomId: "r1", id: 5, seq: 1, lane: "gift", type: "gift", gift: { giftId: "rose", count: 2 }, serverTs: 1_763_740_000_000, streamTs: null };
      call.socket.send(record([1, {}, null, "events", [[gift]]]));
      call.socket.send(record([3, {}, call.invocationId, 3, { roomId: "r1", seq: 1, recovered: true, online: 2, serverTime: Date.now() }]));
    } else if (call.target === "SendChat") {
      call.socket.send(record([3, {}, call.invocationId, 1, "invalid_argument: SendChat argument 1 (text) must be a string; the call sent a number"]));
    } else if (call.target === "SendGift") {
      call.socket.send(record([3, {}, call.invocationId, 3, { id: 6, seq: 2, status: "ok" }]));
    }
  };

  const room = new LiveImRoom({ serviceUrl: "http://roomservice.test", roomId: "r1", token: "a.b.c", fetch: http.fetch, hubFactory: messagePackHubFactory, backoff: { initialMs: 20, maxMs: 50 } });
  try {
    const received: { id: number; giftId?: string; serverTs: number }[] = [];
    room.on("events", (batch) => received.push(...batch.map((e) => ({ id: e.id, giftId: e.gift?.giftId, serverTs: e.serverTs }))));
    await room.start();

    assert.deepEqual(hub.handshakes, ['{"protocol":"messagepack","version":1}\x1e']);
    assert.deepEqual(hub.calls[0]!.arguments, ["r1", null]);
    assert.deepEqual(received, [{ id: 5, giftId: "rose", serverTs: 1_763_740_000_000 }]);
    assert.equal(room.lastSeq, 1);

    const gift = await room.sendGift("rose", 1, { clientMsgId: "m-1" });
    assert.deepEqual({ id: gift.id, seq: gift.seq, status: gift.status }, { id: 6, seq: 2, status: "ok" });
    await assert.rejects(room.sendChat("hi"), (e: unknown) => e instanceof LiveImError && e.code === "invalid_argument");

    const socket = hub.calls[0]!.socket;
    socket.send(record([7, "banned: you were banned from this room", false]));
    await eventually(() => room.state === "closed", "closed after the ban");
  } finally {
    await room.close();
    await hub.close();
  }
});
