// The viewer's room: a "video" (a canvas test pattern showing its own stream clock, a configurable delay behind
// live), chat released in time with that clock, gifts as animations, likes, the online count, the connection state.
import { LiveImRoom, PlaybackAligner, replaySource, type AlignedRelease, type PlaybackPosition, type RoomEvent } from "../src/index.js";
import { demoConfig, describeModeration, el, formatClock, logger, obtainToken, settings, showError, showState } from "./common.js";

const s = settings();
const delayInput = document.getElementById("delay") as HTMLInputElement;
delayInput.value = String(Number(s.params.get("delay") ?? "5") || 0);
const canvas = document.getElementById("video") as HTMLCanvasElement;
const chat = document.getElementById("chat")!;
const giftLog = document.getElementById("gifts")!;
const giftLayer = document.getElementById("giftLayer")!;
const likesOut = document.getElementById("likes")!;
const onlineOut = document.getElementById("online")!;
document.getElementById("roomName")!.textContent = s.roomId;

let likesShown = 0;
let playback: PlaybackPosition | null = null;
const giftTotals = new Map<string, number>();

async function main(): Promise<void> {
  const config = await demoConfig();
  const me = await obtainToken(config, "viewer", s);
  document.getElementById("me")!.textContent = me.name;
  const room = new LiveImRoom({
    serviceUrl: s.serviceUrl, roomId: s.roomId, token: me.token, gatewayUrl: s.gatewayUrl, logger: logger(s.debug),
    // The clock before any stamped event: a viewer may open the page before the streamer goes live.
    fetchRoomInfo: true, roomInfoPollMs: 2_000,
  });
  const aligner = new PlaybackAligner({ replay: replaySource(s.serviceUrl, s.roomId) });
  // A handle for debugging in the browser's console (and for the browser tests): the room, the aligner, what played.
  const states: string[] = [];
  (window as unknown as { liveimViewer: unknown }).liveimViewer = { room, aligner, playback: () => playback, states };

  room.on("events", (batch) => aligner.add(batch));
  room.on("state", (c) => {
    states.push(c.state);
    showState(c.state, c.reason, c.gatewayUrl);
  });
  room.on("roomState", (r) => (onlineOut.textContent = r.online === null ? "–" : String(r.online)));
  room.on("error", (e) => { if (s.debug) console.debug("liveim:", e.code, e.message); });
  aligner.onReleased(show);
  aligner.onReplayFailed((f) => showError(f.error));

  document.getElementById("like")!.addEventListener("click", () => room.like());
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.gift")) {
    button.addEventListener("click", () => room.sendGift(button.dataset.gift!, 1).catch(showError));
  }

  // The player's tick: playback runs `delay` behind the live edge of the room's stream clock.
  setInterval(() => {
    const live = room.liveStreamPosition();
    if (live !== null) {
      const delayMs = Math.max(0, Number(delayInput.value) || 0) * 1000;
      playback = { epoch: live.epoch, streamMs: Math.max(0, Math.round(live.streamMs - delayMs)) };
      aligner.updatePosition(playback);
    }

    draw(live);
  }, 100);

  showState("connecting", null, null);
  await room.start();
}

function show(release: AlignedRelease): void {
  if (release.kind === "skipped") {
    chat.append(el("li", { class: "system" }, `${release.events.length} events skipped`));
  }

  for (const e of release.events) {
    switch (e.type) {
      case "chat":
        showChat(e, release.kind === "skipped");
        break;
      case "gift":
        showGift(e, release.kind !== "skipped");
        break;
      case "likes":
        likesShown += e.likes ?? 0;
        likesOut.textContent = String(likesShown);
        break;
      case "delete":
        for (const line of chat.querySelectorAll<HTMLElement>(`li[data-id="${Number(e.moderation?.messageId)}"]`)) {
          line.classList.add("deleted");
          line.lastChild!.textContent = "(message removed)";
        }
        break;
      default: {
        const text = describeModeration(e);
        if (text) chat.append(el("li", { class: "system", "data-id": String(e.id) }, text));
      }
    }
  }

  chat.scrollTop = chat.scrollHeight;
}

function showChat(e: RoomEvent, skipped: boolean): void {
  const line = el("li", {
    "data-id": String(e.id),
    "data-stream-ts": e.streamTs == null ? "" : String(e.streamTs),
    "data-shown-at": playback === null ? "" : String(playback.streamMs),
    class: skipped ? "skipped" : e.from?.role === "streamer" ? "streamer" : "",
  });
  line.append(el("b", {}, (e.from?.name ?? "?") + ": "), el("span", {}, e.text ?? ""));
  chat.append(line);
  while (chat.children.length > 300) chat.firstElementChild!.remove();
}

function showGift(e: RoomEvent, animate: boolean): void {
  const giftId = e.gift!.giftId;
  const count = e.gift!.count;
  giftTotals.set(giftId, (giftTotals.get(giftId) ?? 0) + count);
  giftLog.append(el("li", { "data-id": String(e.id), "data-seq": String(e.seq), "data-gift": giftId, "data-count": String(count) }, `${e.from?.name ?? "?"} sent ${count} × ${giftId}`));
  while (giftLog.children.length > 200) giftLog.firstElementChild!.remove();
  const totals = document.getElementById("giftTotals")!;
  totals.replaceChildren(...[...giftTotals].map(([g, n]) => el("span", { class: "total gift-" + g, "data-gift": g }, `${emoji(g)} ${g} ${n}`)));
  if (animate) {
    const pop = el("div", { class: "gift-pop gift-" + giftId }, `${emoji(giftId)} ${giftId} ×${count}`);
    pop.style.left = `${10 + Math.random() * 45}%`;
    giftLayer.append(pop);
    setTimeout(() => pop.remove(), 2_500);
  }
}

// Symbols every system font has (no emoji font needed), each in its gift's colour (demo.css).
const emoji = (giftId: string): string => ({ rose: "✿", heart: "♥", rocket: "✈" })[giftId] ?? "★";

// The test pattern: colour bars and the stream clock of what this viewer "sees".
function draw(live: PlaybackPosition | null): void {
  const g = canvas.getContext("2d")!;
  const { width, height } = canvas;
  const bars = ["#c0c0c0", "#c0c000", "#00c0c0", "#00c000", "#c000c0", "#c00000", "#0000c0"];
  bars.forEach((color, i) => {
    g.fillStyle = color;
    g.fillRect((i * width) / bars.length, 0, width / bars.length + 1, height * 0.7);
  });
  g.fillStyle = "#101018";
  g.fillRect(0, height * 0.7, width, height * 0.3);
  g.fillStyle = "#fff";
  g.textAlign = "center";
  if (playback === null || live === null) {
    g.font = "bold 28px system-ui, sans-serif";
    g.fillText("waiting for the stream…", width / 2, height * 0.87);
    canvas.dataset.streamMs = "";
    return;
  }

  g.font = "bold 44px ui-monospace, monospace";
  g.fillText(formatClock(playback.streamMs), width / 2, height * 0.84);
  g.font = "16px system-ui, sans-serif";
  g.fillText(`stream clock · ${((live.streamMs - playback.streamMs) / 1000).toFixed(1)} s behind live`, width / 2, height * 0.95);
  const x = ((playback.streamMs % 2000) / 2000) * width;
  g.fillStyle = "#ff3b30";
  g.fillRect(x - 3, height * 0.7, 6, 8);
  canvas.dataset.streamMs = String(playback.streamMs);
  canvas.dataset.epoch = String(playback.epoch);
}

main().catch((error) => {
  showError(error);
  showState("closed", error?.code ?? "error", null);
});
