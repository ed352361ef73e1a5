// The streamer's view: go live (report the stream clock), chat, send a test gift, see the room as it happens
// (no delay: the streamer is the live edge), and moderate a line.
import { LiveImRoom, type RoomEvent } from "../src/index.js";
import { demoConfig, describeModeration, el, formatClock, logger, obtainToken, settings, showError, showState } from "./common.js";

const s = settings();
const feed = document.getElementById("feed")!;
const clockOut = document.getElementById("streamClock")!;
const chatText = document.getElementById("chatText") as HTMLInputElement;
document.getElementById("roomName")!.textContent = s.roomId;
let likes = 0;

async function main(): Promise<void> {
  const config = await demoConfig();
  const me = await obtainToken(config, "streamer", s);
  document.getElementById("me")!.textContent = me.name;
  const room = new LiveImRoom({ serviceUrl: s.serviceUrl, roomId: s.roomId, token: me.token, gatewayUrl: s.gatewayUrl, logger: logger(s.debug) });
  (window as unknown as { liveimStreamer: unknown }).liveimStreamer = { room, streamMs: () => streamMs() };
  room.on("state", (c) => showState(c.state, c.reason, c.gatewayUrl));
  room.on("roomState", (r) => (document.getElementById("online")!.textContent = r.online === null ? "–" : String(r.online)));
  room.on("events", (batch) => batch.forEach((e) => show(room, e)));

  // Going live: the stream's own clock starts at 0 and is reported every second (the protocol asks for 0.5-2 s).
  let started: number | null = null;
  let reporter: ReturnType<typeof setInterval> | null = null;
  const streamMs = () => (started === null ? null : Math.round(performance.now() - started));
  const report = () => {
    const ms = streamMs();
    if (ms !== null) {
      room.reportStreamClock(ms).then((r) => (document.getElementById("epoch")!.textContent = `epoch ${r.epoch}${r.newEpoch ? " (new)" : ""}`), showError);
    }
  };
  const goLive = document.getElementById("goLive") as HTMLButtonElement;
  goLive.addEventListener("click", () => {
    if (reporter === null) {
      started = performance.now();
      report();
      reporter = setInterval(report, 1_000);
      goLive.textContent = "End stream";
      goLive.classList.add("live");
      document.body.dataset.live = "true";
    } else {
      clearInterval(reporter);
      reporter = null;
      started = null;
      goLive.textContent = "Go live";
      goLive.classList.remove("live");
      document.body.dataset.live = "false";
    }
  });
  setInterval(() => {
    const ms = streamMs();
    clockOut.textContent = ms === null ? "not live" : formatClock(ms);
    clockOut.dataset.streamMs = ms === null ? "" : String(ms);
  }, 100);

  document.getElementById("chatForm")!.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = chatText.value;
    chatText.value = "";
    room.sendChat(text).then((r) => { if (r.status === "sampled") showError("the room is over its chat budget: line not delivered"); }, showError);
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.gift")) {
    button.addEventListener("click", () => room.sendGift(button.dataset.gift!, Number(button.dataset.count ?? "1")).catch(showError));
  }

  showState("connecting", null, null);
  await room.start();
}

function show(room: LiveImRoom, e: RoomEvent): void {
  let line: HTMLElement | null = null;
  if (e.type === "chat") {
    line = el("li", { "data-id": String(e.id), "data-stream-ts": String(e.streamTs ?? "") });
    line.append(el("b", {}, (e.from?.name ?? "?") + ": "), el("span", {}, e.text ?? ""));
    if (e.from && e.from.role === "viewer") {
      const userId = e.from.userId;
      const tools = el("span", { class: "tools" });
      const action = (label: string, run: () => Promise<unknown>) => {
        const b = el("button", { type: "button" }, label);
        b.addEventListener("click", () => run().catch(showError));
        tools.append(b);
      };
      action("mute 60 s", () => room.mute(userId, 60));
      action("ban", () => room.ban(userId));
      action("delete", () => room.deleteMessage(e.id));
      line.append(tools);
    }
  } else if (e.type === "gift") {
    line = el("li", { class: "gift-line", "data-id": String(e.id) }, `★ ${e.from?.name ?? "?"} sent ${e.gift?.count} × ${e.gift?.giftId}`);
  } else if (e.type === "likes") {
    likes += e.likes ?? 0;
    document.getElementById("likes")!.textContent = String(likes);
  } else if (e.type === "delete") {
    feed.querySelector(`li[data-id="${Number(e.moderation?.messageId)}"]`)?.classList.add("deleted");
  } else {
    const text = describeModeration(e);
    if (text) line = el("li", { class: "system" }, text);
  }

  if (line) {
    feed.append(line);
    while (feed.children.length > 300) feed.firstElementChild!.remove();
    feed.scrollTop = feed.scrollHeight;
  }
}

main().catch((error) => {
  showError(error);
  showState("closed", error?.code ?? "error", null);
});
