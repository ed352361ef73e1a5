using Microsoft.AspNetCore.SignalR.Client;

namespace LiveIm.Client;

/// <summary>
/// The official client asks its retry policy for a delay only when a reconnect is allowed: the connection dropped, or
/// the server's close message said <c>allowReconnect: true</c> (never after our own stop, nor after a close such as
/// <c>banned</c>). This policy records that it was asked and answers "do not retry", so the connection ends as usual
/// and <see cref="RoomClient"/> reconnects itself, to a gateway of its choosing.
/// </summary>
internal sealed class ReconnectPermission : IRetryPolicy
{
    private volatile bool _allowed;

    /// <summary>True once the official client considered reconnecting the connection this policy belongs to.</summary>
    public bool Allowed => _allowed;

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        _allowed = true;
        return null;
    }
}
