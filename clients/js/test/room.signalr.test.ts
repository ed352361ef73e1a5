import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { LiveImRoom } from "../src/room.js";
import { FakeFetch, eventually, json } from "./fakes.js";

const RS = "\x1e";

/**
 * A scripted SignalR JSON hub over a real WebSocket (the `ws` server), so that the room runs on the real
 * `@microsoft/signalr` client: handshake, invocations and completions, server invocations, close messages.
 */
class ScriptedHubServer {
  readonly server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  readonly connections: { socket: WebSocket; url: string; authorization: string | undefined; calls: { target: string; arguments: unknown[] }[] }[] = [];
  onCall: (c: ScriptedHubServer["connections"][number], call: { invocationId?: string; target: string; arguments: unknown[] }) => void = () => {};

  constructor() {
    this.server.on("connection", (socket, request) => {
      const connection = { socket, url: request.url ?? "", authorization: request.headers.authorization, calls: [] as { target: string; arguments: unknown[] }[] };
      this.connections.push(connection);
      let handshaken = false;
      socket.on("message", (data) => {
        for (const frame of data.toString().split(RS).filter((f) => f.length > 0)) {
          const message = JSON.parse(frame) as { type?: number; invocationId?: string; target: string; arguments: unknown[] };
          if (!handshaken) {
            handshaken = true;
            socket.send("{}" + RS);
            continue;
          }

          if (message.type === 1) {
            connection.calls.push({ target: message.target, arguments: message.arguments });
            this.onCall(connection, message);
          }
        }
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  static send(socket: WebSocket, message: object): void {
    socket.send(JSON.stringify(message) + RS);
  }

  close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

test("over the real SignalR client: joins with the token, survives a server closing mid-join, and stops for good when banned, logging nothing to the console", async () => {
  const hub = new ScriptedHubServer();
  await new Promise<void>((resolve) => hub.server.once("listening", () => resolve()));
  const http = new FakeFetch();
  http.assign(() => json(200, { url: hub.url, gatewayId: "gw-ws" }));
  hub.onCall = (connection, call) => {
    if (call.target !== "JoinRoom") return;
    if (hub.connections.length === 1) {
      connection.socket.terminate(); // closes mid-join: no completion, the socket just goes
      return;
    }

    ScriptedHubServer.send(connection.socket, { type: 1, target: "events", arguments: [[{ roomId: "r1", id: 5, seq: 1, lane: "gift", type: "gift", gift: { giftId: "rose", count: 2 }, serverTs: 1, streamTs: null }]] });
    ScriptedHubServer.send(connection.socket, { type: 3, invocationId: call.invocationId, result: { roomId: "r1", seq: 1, recovered: true, online: 2, serverTime: Date.now() } });
  };
  const consoleCalls: string[] = [];
  const saved = { error: console.error, warn: console.warn, log: console.log, info: console.info };
  console.error = console.warn = console.log = console.info = (...args: unknown[]) => void consoleCalls.push(args.join(" "));
  const logged: string[] = [];
  let room: LiveImRoom | null = null;
  try {
    const r = new LiveImRoom({
      serviceUrl: "http://roomservice.test", roomId: "r1", token: "a.b.c", fetch: http.fetch,
      backoff: { initialMs: 20, maxMs: 50 }, logger: (level, message) => logged.push(`${level}: ${message}`),
    });
    room = r;
    const gifts: number[] = [];
    r.on("events", (batch) => gifts.push(...batch.map((e) => e.id)));

    await r.start();

    assert.equal(hub.connections.length, 2);
    assert.equal(hub.connections[1]!.url, "/hubs/room");
    assert.equal(hub.connections[1]!.authorization, "Bearer a.b.c"); // Node sends the header; a browser, which cannot, the access_token query
    assert.deepEqual(hub.connections[1]!.calls[0], { target: "JoinRoom", arguments: ["r1", null] });
    assert.deepEqual(gifts, [5]);
    assert.equal(r.lastSeq, 1);

    ScriptedHubServer.send(hub.connections[1]!.socket, { type: 7, error: "banned: you were banned from this room", allowReconnect: false });
    await eventually(() => r.state === "closed", "closed after the ban");
    assert.equal(hub.connections.length, 2);
  } finally {
    Object.assign(console, saved);
    await room?.close();
    await hub.close();
  }

  assert.deepEqual(consoleCalls, []);
  assert.ok(logged.some((l) => l.includes("closed")), logged.join("\n"));
});
