import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { createSignalRHubFactory, type HubFactory } from "./hub.js";

/**
 * The room's connection on the MessagePack hub protocol instead of JSON: `new LiveImRoom({ ..., hubFactory:
 * messagePackHubFactory })`. Binary frames, the same events with the same field names (the gateway writes each event
 * as a map of its JSON fields), fewer bytes on the wire. A module of its own (`@liveim/client/msgpack`) so that a page
 * on JSON does not load the MessagePack codec.
 */
export const messagePackHubFactory: HubFactory = createSignalRHubFactory(new MessagePackHubProtocol());
