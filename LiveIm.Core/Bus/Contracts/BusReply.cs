using LiveIm.Core.Errors;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>
/// Every RoomService reply: <c>{"result":{...}}</c> on success or <c>{"error":{"code","message"}}</c> on failure,
/// so a stable error code travels from RoomService to the client unchanged.
/// </summary>
public sealed record BusReply<T>(T? Result, BusError? Error)
    where T : class
{
    /// <summary>A success.</summary>
    public static BusReply<T> Ok(T result) => new(result, null);

    /// <summary>A failure.</summary>
    public static BusReply<T> Fail(RoomException error) => new(null, new BusError(error.Code, error.Message, error.RetryAfterMs));

    /// <summary>The result, or the error re-thrown as a <see cref="RoomException"/>.</summary>
    public T Unwrap()
    {
        if (Error is { } e)
        {
            throw new RoomException(e.Code, e.Message, e.RetryAfterMs);
        }

        return Result ?? throw new RoomException(ErrorCodes.Unavailable, "empty reply from room service");
    }
}
