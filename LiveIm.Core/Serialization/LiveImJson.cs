using System.Text.Json;
using System.Text.Json.Serialization;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Events;
using LiveIm.Core.Gateways;

namespace LiveIm.Core.Serialization;

/// <summary>
/// Source-generated JSON for every type that crosses the bus or reaches a client: camelCase, like the
/// SignalR JSON protocol, so one event shape serves NATS payloads, history and hub frames.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RoomEvent))]
[JsonSerializable(typeof(RoomEvent[]))]
[JsonSerializable(typeof(BusReply<ChatReply>))]
[JsonSerializable(typeof(BusReply<GiftReply>))]
[JsonSerializable(typeof(BusReply<LikeReply>))]
[JsonSerializable(typeof(BusReply<JoinReply>))]
[JsonSerializable(typeof(BusReply<HistoryReply>))]
[JsonSerializable(typeof(BusReply<ModerateReply>))]
[JsonSerializable(typeof(BusReply<ClockReply>))]
[JsonSerializable(typeof(ClockRequest))]
[JsonSerializable(typeof(ReplayPage))]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ModerateRequest))]
[JsonSerializable(typeof(GiftRequest))]
[JsonSerializable(typeof(LikeRequest))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(HistoryRequest))]
[JsonSerializable(typeof(GatewayLoadReport))]
public sealed partial class LiveImJson : JsonSerializerContext
{
}
