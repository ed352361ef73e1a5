import type { FetchLike, ResponseLike } from "../src/http.js";
import type { HubConnectionLike, HubFactory } from "../src/hub.js";

type Handler = (...args: unknown[]) => void;

/** What a scripted gateway does with an invocation: answer (return), fail (throw an Error with the server's text), or anything async. */
export type InvocationScript = (hub: FakeHub, method: string, args: unknown[]) => unknown;

/**
 * A scripted SignalR connection to one gateway: records invocations, answers them with the gateway's script, and
 * lets the test push server → client messages (`events`, `reconnect`) or close it, as the server would.
 */
export class FakeHub implements HubConnectionLike {
  readonly invocations: { method: string; args: unknown[] }[] = [];
  started = false;
  stopped = false;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly closeHandlers: ((error?: Error) => void)[] = [];
  private pendingCalls: { reject: (e: Error) => void }[] = [];

  constructor(readonly gateway: FakeGateway, readonly url: string, readonly token: string) {}

  async start(): Promise<void> {
    if (this.gateway.refuseConnections) {
      throw new Error("WebSocket failed to connect.");
    }

    this.started = true;
  }

  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }

    this.stopped = true;
    this.failCalls("Invocation canceled due to the underlying connection being closed.");
    for (const h of this.closeHandlers) h(undefined);
  }

  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    this.invocations.push({ method, args });
    if (this.stopped) {
      return Promise.reject(new Error("Cannot send data if the connection is not in the 'Connected' State."));
    }

    return new Promise<T>((resolve, reject) => {
      const call = { reject };
      this.pendingCalls.push(call);
      Promise.resolve()
        .then(() => this.gateway.script(this, method, args))
        .then(
          (r) => {
            this.pendingCalls = this.pendingCalls.filter((c) => c !== call);
            resolve(r as T);
          },
          (e) => {
            this.pendingCalls = this.pendingCalls.filter((c) => c !== call);
            reject(e);
          },
        );
    });
  }

  on(method: string, handler: Handler): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  onclose(handler: (error?: Error) => void): void {
    this.closeHandlers.push(handler);
  }

  /** The server sends `method(...args)`. */
  push(method: string, ...args: unknown[]): void {
    if (!this.stopped) {
      for (const h of this.handlers.get(method) ?? []) h(...args);
    }
  }

  /** The server (or the network) closes the connection; `error` as SignalR would report it. */
  drop(error?: string): void {
    if (this.stopped) {
      return;
    }

    this.stopped = true;
    this.failCalls("Invocation canceled due to the underlying connection being closed.");
    const e = error === undefined ? undefined : new Error(error);
    for (const h of this.closeHandlers) h(e);
  }

  /** The method names invoked, in order. */
  get methods(): string[] {
    return this.invocations.map((i) => i.method);
  }

  private failCalls(message: string): void {
    for (const c of this.pendingCalls.splice(0)) c.reject(new Error(message));
  }
}

/** A gateway: the hubs clients opened to it, and the script its hub runs. */
export class FakeGateway {
  readonly hubs: FakeHub[] = [];
  refuseConnections = false;
  script: InvocationScript;

  constructor(readonly url: string, readonly id: string) {
    this.script = defaultScript;
  }

  get last(): FakeHub {
    const hub = this.hubs[this.hubs.length - 1];
    if (!hub) throw new Error(`no connection to ${this.id} yet`);
    return hub;
  }
}

/** Answers like a healthy gateway of an empty room (`seq` 0, one member). */
export const defaultScript: InvocationScript = (_hub, method, args) => {
  switch (method) {
    case "JoinRoom":
      return { roomId: args[0], seq: 0, recovered: true, online: 1, serverTime: Date.now() };
    case "SendChat":
      return { id: 100, status: "ok" };
    case "SendGift":
      return { id: 101, seq: 1, status: "ok" };
    case "SendLike":
      return { id: 102, status: "ok" };
    default:
      return { id: 103, seq: 2 };
  }
};

/** A server error as SignalR hands it to the client: an Error whose message is the server's text. */
export const serverError = (text: string): Error => new Error(text);

/** Gateways plus the factory that connects a room to them by URL. */
export class FakeCluster {
  readonly gateways = new Map<string, FakeGateway>();

  add(id: string): FakeGateway {
    const gateway = new FakeGateway(`http://${id}.test:5101`, id);
    this.gateways.set(gateway.url, gateway);
    return gateway;
  }

  readonly hubFactory: HubFactory = (hubUrl, options) => {
    const base = hubUrl.replace(/\/hubs\/room$/, "");
    const gateway = this.gateways.get(base);
    if (!gateway) throw new Error("no fake gateway at " + hubUrl);
    const hub = new FakeHub(gateway, hubUrl, "");
    gateway.hubs.push(hub);
    void Promise.resolve(options.accessTokenFactory()).then((t) => ((hub as { token: string }).token = t));
    return hub;
  };
}

/** A scripted HTTP answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): ResponseLike => ({
  ok: status >= 200 && status < 300,
  status,
  headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
  text: async () => (typeof body === "string" ? body : JSON.stringify(body)),
});

/** A fetch whose answers a test scripts per path; records every URL asked. */
export class FakeFetch {
  readonly urls: string[] = [];
  readonly routes = new Map<string, (url: URL) => ResponseLike | Promise<ResponseLike>>();

  readonly fetch: FetchLike = async (input) => {
    this.urls.push(input);
    const url = new URL(input);
    const route = this.routes.get(url.pathname);
    if (!route) return json(404, { error: "not_found", message: url.pathname });
    return route(url);
  };

  /** Assignment hands out `gateways` in turn (or whatever `answer` says). */
  assign(answer: (url: URL) => ResponseLike | Promise<ResponseLike>): void {
    this.routes.set("/api/gateways/assign", answer);
  }

  count(path: string): number {
    return this.urls.filter((u) => new URL(u).pathname === path).length;
  }
}

/** Waits until `condition` holds (polling every 5 ms), or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
