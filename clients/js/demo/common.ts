// What the viewer and streamer pages share: settings from the query, the token, the connection badge.
import { LiveImError, type ConnectionState, type RoomEvent } from "../src/index.js";

export interface DemoConfig {
  /** RoomService hands out development tokens (POST /api/dev/token): on only in development. */
  devTokens: boolean;
}

export interface PageSettings {
  serviceUrl: string;
  roomId: string;
  name: string;
  gatewayUrl: string | undefined;
  debug: boolean;
  params: URLSearchParams;
}

export function settings(): PageSettings {
  const params = new URLSearchParams(location.search);
  const roomId = params.get("room") ?? "demo";
  return {
    serviceUrl: location.origin + "/",
    roomId: /^[A-Za-z0-9_-]{1,64}$/.test(roomId) ? roomId : "demo",
    name: (params.get("name") ?? "").slice(0, 64),
    gatewayUrl: params.get("gateway") ?? undefined,
    debug: params.get("debug") === "1",
    params,
  };
}

export async function demoConfig(): Promise<DemoConfig> {
  const response = await fetch("config.json", { headers: { accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`config.json answered ${response.status}`);
  }

  return (await response.json()) as DemoConfig;
}

// One user id per tab (sessionStorage), so two tabs are two users.
function tabUserId(role: string): string {
  const key = `liveim-demo-user-${role}`;
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = `${role}-${Math.random().toString(36).slice(2, 8)}`;
    sessionStorage.setItem(key, id);
  }

  return id;
}

/**
 * The page's token. In development, a dev token from RoomService. Otherwise the host gives it: in the fragment
 * (`#token=...`, which never reaches a server log) or, for a page embedded in an iframe, by
 * `postMessage({type: "liveim-token", token})` from the embedding page.
 */
export async function obtainToken(config: DemoConfig, role: "viewer" | "streamer", s: PageSettings): Promise<{ token: string; userId: string; name: string }> {
  const fragment = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fragment) {
    return { token: fragment, userId: "(from host)", name: "(from host)" };
  }

  if (config.devTokens) {
    const userId = tabUserId(role);
    const name = s.name || (role === "streamer" ? "Streamer" : "Viewer " + userId.slice(-4));
    const response = await fetch("../api/dev/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId, name, role, room: s.roomId }),
    });
    if (!response.ok) {
      throw new Error(`POST /api/dev/token answered ${response.status}: ${await response.text()}`);
    }

    return { token: ((await response.json()) as { token: string }).token, userId, name };
  }

  const token = await new Promise<string>((resolve) => {
    window.addEventListener("message", function onMessage(e: MessageEvent) {
      const data = e.data as { type?: unknown; token?: unknown } | null;
      if (data && data.type === "liveim-token" && typeof data.token === "string") {
        window.removeEventListener("message", onMessage);
        resolve(data.token);
      }
    });
    window.parent?.postMessage({ type: "liveim-token-request" }, "*");
  });
  return { token, userId: "(from host)", name: "(from host)" };
}

/** Shows the connection state; "reconnecting" is hard to miss. */
export function showState(state: ConnectionState, reason: string | null, gatewayUrl: string | null): void {
  const badge = document.getElementById("state")!;
  badge.dataset.state = state;
  badge.dataset.gateway = gatewayUrl ?? "";
  badge.className = "badge state-" + state;
  const where = gatewayUrl ? ` · ${new URL(gatewayUrl).host}` : "";
  badge.textContent = state === "reconnecting" ? `reconnecting (${reason ?? "dropped"})…` : state + where;
}

export function showError(error: unknown): void {
  const box = document.getElementById("notice");
  if (!box) return;
  const text = error instanceof LiveImError ? `${error.code}${error.retryAfterMs ? ` (retry in ${error.retryAfterMs} ms)` : ""}: ${error.message}` : String(error);
  box.textContent = text;
  box.hidden = false;
  setTimeout(() => (box.hidden = true), 5_000);
}

/** A logger for the SDK: silent unless the page runs with ?debug=1 (then to console.debug, never console.error). */
export const logger = (debug: boolean) => (level: string, message: string) => {
  if (debug) console.debug(`[liveim ${level}] ${message}`);
};

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v !== undefined) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
  }

  node.textContent = text;
  return node;
}

/** A system line for moderation events (text only: user input never becomes HTML). */
export function describeModeration(e: RoomEvent): string | null {
  const m = e.moderation;
  switch (e.type) {
    case "mute":
      return `${m?.userId} was muted for ${m?.seconds} s`;
    case "unmute":
      return `${m?.userId} was unmuted`;
    case "ban":
      return `${m?.userId} was banned`;
    case "unban":
      return `${m?.userId} was unbanned`;
    case "slow_mode":
      return m?.seconds ? `slow mode: one line per ${m.seconds} s` : "slow mode off";
    default:
      return null;
  }
}

export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const minutes = Math.floor(total / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  const millis = total % 1000;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${String(millis).padStart(3, "0")}`;
}
