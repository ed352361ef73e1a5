export { LiveImRoom, connect, newClientMsgId } from "./room.js";
export type {
  RoomOptions, ConnectionState, StateChange, StreamClock, RoomState, GapNotice, RoomStats, JoinResult, ChatResult, GiftResult,
  ModerationResult, ClockResult,
} from "./room.js";
export { LiveImError, parseServerError, toLiveImError, ServerErrorCodes, ClientErrorCodes } from "./errors.js";
export type { ErrorCode, ServerErrorCode, ClientErrorCode } from "./errors.js";
export { checkEvent, isReliableLane } from "./events.js";
export type { RoomEvent, Lane, RoomEventType, Sender, Moderation } from "./events.js";
export { assignGateway, roomInfo, replaySource, endOfEpoch } from "./http.js";
export type { FetchLike, ResponseLike, GatewayAssignment, RoomInfo, ReplayOptions } from "./http.js";
export { signalRHubFactory, createSignalRHubFactory } from "./hub.js";
export type { HubConnectionLike, HubFactory, Logger, LogLevelName } from "./hub.js";
export { backoffDelay } from "./backoff.js";
export type { BackoffOptions } from "./backoff.js";
export { SeqWindow } from "./seqWindow.js";
export { PlaybackAligner } from "./aligner/playbackAligner.js";
export type {
  PlaybackPosition, ReleaseKind, AlignedRelease, ReplayFailure, ReplayFetch, PlaybackAlignerOptions, AlignerStats,
} from "./aligner/playbackAligner.js";
