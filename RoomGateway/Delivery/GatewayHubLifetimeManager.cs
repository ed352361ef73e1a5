using LiveIm.Hosting.Auth;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// Hooks connection start and end, where SignalR hands out the <see cref="HubConnectionContext"/> that the room
/// engine writes frames to. Groups and Clients.* keep their default behaviour; rooms do not use them.
/// </summary>
public sealed class GatewayHubLifetimeManager : DefaultHubLifetimeManager<RoomHub>
{
    private readonly RoomRegistry _registry;
    private readonly RoomMembership _membership;
    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;

    public GatewayHubLifetimeManager(
        ILogger<DefaultHubLifetimeManager<RoomHub>> logger, RoomRegistry registry, RoomMembership membership, FanoutOptions options, FanoutMetrics metrics)
        : base(logger)
    {
        _registry = registry;
        _membership = membership;
        _options = options;
        _metrics = metrics;
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var identity = LiveImTokens.ReadIdentity(connection.User) is { } id
            ? new MemberIdentity(id.UserId, id.Name, id.Role, id.Room)
            : MemberIdentity.Anonymous;
        _registry.AddMember(new RoomMember(connection, identity, _options, _metrics));
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_registry.RemoveMember(connection.ConnectionId) is { } member)
        {
            await _membership.LeaveAsync(member);
            await member.DisposeAsync();
        }

        await base.OnDisconnectedAsync(connection);
    }
}
