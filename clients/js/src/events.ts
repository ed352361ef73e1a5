/**
 * Room events as the gateway delivers them (docs/protocol.md, "Server → client"), and the checks that keep a
 * malformed one from reaching the app.
 */

/** `gift` and `system` are reliable (sequenced, persisted, recoverable); `chat` and `like` are best effort. */
export type Lane = "gift" | "chat" | "like" | "system" | (string & {});

/** Types this client knows; a newer server may send others (passed through untouched). */
export type RoomEventType =
  | "chat"
  | "gift"
  | "likes"
  | "online"
  | "mute"
  | "unmute"
  | "ban"
  | "unban"
  | "slow_mode"
  | "delete"
  | (string & {});

/** Who sent an event, with the role that applies in this room. */
export interface Sender {
  userId: string;
  name: string;
  role: "viewer" | "streamer" | "moderator" | (string & {});
}

/** The fields of a moderation action (`mute`, `unmute`, `ban`, `unban`, `slow_mode`, `delete`). */
export interface Moderation {
  userId?: string;
  seconds?: number;
  until?: number;
  messageId?: number;
}

/** One room event. */
export interface RoomEvent {
  roomId: string;
  /** Unique in the room and increasing, shared by all lanes; 0 for the online count. */
  id: number;
  /** Reliable lanes only: contiguous per room from 1; null otherwise. */
  seq: number | null;
  lane: Lane;
  type: RoomEventType;
  from?: Sender | null;
  text?: string;
  gift?: { giftId: string; count: number };
  likes?: number;
  online?: number;
  moderation?: Moderation;
  /** Ms since the Unix epoch, stamped by RoomService. */
  serverTs: number;
  /** Stream timeline ms the event belongs to; null without a stream clock and on `online` events. */
  streamTs?: number | null;
  /** Which stream session `streamTs` belongs to (present exactly when `streamTs` is not null). Compare, do not interpret. */
  streamEpoch?: number | null;
}

/** True for the lanes whose events carry a contiguous `seq`. */
export function isReliableLane(lane: string): boolean {
  return lane === "gift" || lane === "system";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isWhole = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isNullish = (v: unknown): v is null | undefined => v === null || v === undefined;

/**
 * Checks one element of an `events` batch. Returns the event (the same object, not a copy) or a reason why it is
 * malformed: then it is dropped and counted, and the rest of the batch is delivered. The checks are those the app and
 * this client rely on (ids, seqs, clock fields, the payload of the known types); unknown types and extra fields pass.
 */
export function checkEvent(raw: unknown, roomId: string | null): RoomEvent | string {
  if (!isObject(raw)) {
    return "not an object";
  }

  if (typeof raw.roomId !== "string" || (roomId !== null && raw.roomId !== roomId)) {
    return "roomId missing or of another room";
  }

  if (!isWhole(raw.id) || raw.id < 0) {
    return "id is not a whole number >= 0";
  }

  if (typeof raw.lane !== "string" || typeof raw.type !== "string") {
    return "lane or type missing";
  }

  if (!isNullish(raw.seq) && !(isWhole(raw.seq) && raw.seq >= 1)) {
    return "seq is neither null nor a whole number >= 1";
  }

  if (isReliableLane(raw.lane) && raw.type !== "online" && isNullish(raw.seq)) {
    return "a reliable event without a seq";
  }

  if (typeof raw.serverTs !== "number" || !Number.isFinite(raw.serverTs)) {
    return "serverTs is not a number";
  }

  if (!isNullish(raw.streamTs) && !(typeof raw.streamTs === "number" && Number.isFinite(raw.streamTs))) {
    return "streamTs is neither null nor a number";
  }

  if (!isNullish(raw.streamEpoch) && !(typeof raw.streamEpoch === "number" && Number.isFinite(raw.streamEpoch))) {
    return "streamEpoch is neither null nor a number";
  }

  if (!isNullish(raw.from) && !(isObject(raw.from) && typeof raw.from.userId === "string" && typeof raw.from.name === "string")) {
    return "from is not a sender";
  }

  switch (raw.type) {
    case "chat":
      return typeof raw.text === "string" ? (raw as unknown as RoomEvent) : "a chat event without text";
    case "gift":
      return isObject(raw.gift) && typeof raw.gift.giftId === "string" && isWhole(raw.gift.count) && raw.gift.count > 0
        ? (raw as unknown as RoomEvent)
        : "a gift event without gift {giftId, count}";
    case "likes":
      return isWhole(raw.likes) && raw.likes > 0 ? (raw as unknown as RoomEvent) : "a likes event without a count";
    case "online":
      return isWhole(raw.online) && raw.online >= 0 ? (raw as unknown as RoomEvent) : "an online event without a count";
    case "mute":
    case "unmute":
    case "ban":
    case "unban":
    case "slow_mode":
    case "delete":
      return isObject(raw.moderation) ? (raw as unknown as RoomEvent) : "a moderation event without moderation";
    default:
      return raw as unknown as RoomEvent;
  }
}
