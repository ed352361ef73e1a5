import { HttpTransportType, HubConnectionBuilder, LogLevel, type IHubProtocol, type ILogger } from "@microsoft/signalr";

/** The part of a SignalR `HubConnection` the room uses (a test can pass a scripted one). */
export interface HubConnectionLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke<T = unknown>(methodName: string, ...args: unknown[]): Promise<T>;
  on(methodName: string, handler: (...args: unknown[]) => void): void;
  onclose(handler: (error?: Error) => void): void;
}

/** Log levels of {@link Logger}. */
export type LogLevelName = "debug" | "info" | "warn" | "error";

/** Where the room (and SignalR underneath it) writes what it does. Default: nowhere. */
export type Logger = (level: LogLevelName, message: string) => void;

/** Creates the connection to one gateway's hub (`<gateway>/hubs/room`). */
export type HubFactory = (hubUrl: string, options: { accessTokenFactory: () => string | Promise<string>; logger: Logger }) => HubConnectionLike;

/**
 * The default: `@microsoft/signalr` over WebSockets, skipping negotiation. The gateway accepts only WebSockets
 * (docs/protocol.md), so negotiation would only add a round trip, and an HTTP request a page on another origin could
 * only make with CORS on every gateway; a WebSocket needs none (and the token travels in the query, not in a cookie,
 * so a page cannot ride on a visitor's session). SignalR's own reconnect stays off: the room reconnects itself,
 * through assignment, with `lastSeq`. SignalR's log goes to the room's logger, not to the console: a dropped
 * connection the room recovers from is not an error on the page.
 */
export const signalRHubFactory: HubFactory = createSignalRHubFactory();

/**
 * The same factory with another hub protocol than JSON, e.g. `createSignalRHubFactory(new MessagePackHubProtocol())`
 * (what `messagePackHubFactory` in `@liveim/client/msgpack` is). The gateway speaks both; events, results and errors
 * are the same either way (docs/protocol.md, "Choosing the protocol").
 */
export function createSignalRHubFactory(protocol?: IHubProtocol): HubFactory {
  return (hubUrl, options) => {
    const adapter: ILogger = {
      log(level: LogLevel, message: string) {
        if (level >= LogLevel.Error) {
          options.logger("error", message);
        } else if (level >= LogLevel.Warning) {
          options.logger("warn", message);
        } else if (level >= LogLevel.Information) {
          options.logger("info", message);
        } else {
          options.logger("debug", message);
        }
      },
    };
    const builder = new HubConnectionBuilder()
      .withUrl(hubUrl, {
        transport: HttpTransportType.WebSockets,
        skipNegotiation: true,
        accessTokenFactory: options.accessTokenFactory,
        logger: adapter,
      })
      .configureLogging(adapter);
    return (protocol ? builder.withHubProtocol(protocol) : builder).build();
  };
}
