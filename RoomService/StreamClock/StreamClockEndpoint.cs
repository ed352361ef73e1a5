using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using LiveIm.Core.Errors;
using LiveIm.Core.Rooms;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Http;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.StreamClock;

/// <summary>
/// <c>POST /api/rooms/{roomId}/stream-clock</c> with <c>{"streamMs": n}</c>, behind <see cref="BearerSecretFilter{TSecret}"/>:
/// a media server (which reads the stream's own timestamps) reports the stream time current when it sent the request.
/// Answers <c>{roomId, epoch, offsetMs, newEpoch}</c>. Errors are <c>{error, message}</c>: 401 <c>unauthorized</c>,
/// 400 <c>invalid_room</c>, 400 <c>invalid_argument</c> (the clock does not move), 503 <c>unavailable</c>.
/// </summary>
public static class StreamClockEndpoint
{
    /// <summary>Largest body read: <c>{"streamMs": 2592000000}</c> is 25 bytes; a kilobyte leaves room for whitespace.</summary>
    public const int MaxBodyBytes = 1024;

    private const string StreamMsProperty = "streamMs";

    /// <summary>The answer: the room's clock after the report.</summary>
    /// <param name="RoomId">The room.</param>
    /// <param name="Epoch">The current stream epoch.</param>
    /// <param name="OffsetMs">Server ms minus stream ms, as estimated now.</param>
    /// <param name="NewEpoch">True when this report began the epoch.</param>
    public sealed record ClockView(string RoomId, long Epoch, long OffsetMs, bool NewEpoch);

    /// <summary>Maps the endpoint.</summary>
    public static void MapStreamClock(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/rooms/{roomId}/stream-clock", async (
                string roomId, HttpRequest request, RoomStreamClock clock, IOptions<StreamClockOptions> options, CancellationToken ct) =>
            {
                if (!RoomIds.IsValid(roomId))
                {
                    return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
                }

                var (streamMs, error) = await ReadAsync(request, options.Value.MaxStreamMs, ct);
                if (error is not null)
                {
                    return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, error);
                }

                try
                {
                    var reply = await clock.ReportAsync(roomId, streamMs, ct);
                    return Results.Ok(new ClockView(roomId, reply.Epoch, reply.OffsetMs, reply.NewEpoch));
                }
                catch (RoomException ex)
                {
                    return Error(StatusCodes.Status400BadRequest, ex.Code, ex.Message);
                }
                catch (StoreUnavailableException)
                {
                    return Error(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the room store is unavailable; retry later");
                }
            })
            .AddEndpointFilter<BearerSecretFilter<ServiceSettings>>();
    }

    private static async Task<(long StreamMs, string? Error)> ReadAsync(HttpRequest request, long maxStreamMs, CancellationToken ct)
    {
        var shape = "the body must be {\"streamMs\": <whole number 0.." + maxStreamMs + ">}";
        var (body, error) = await SmallJsonBody.ReadAsync(request, MaxBodyBytes, ct);
        if (body is null)
        {
            return (0, error);
        }

        if (body.Length == 0 || !Utf8.IsValid(body))
        {
            return (0, "the body is empty or not UTF-8; " + shape);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return (0, "the body is not valid JSON; " + shape);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (0, shape);
            }

            JsonElement? value = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Exact name only, and once: a typo or a second value must not be half-applied.
                if (!property.NameEquals(StreamMsProperty) || value is not null)
                {
                    return (0, shape);
                }

                value = property.Value;
            }

            // 1.5, 1e3, -1, "5", NaN (not JSON) and 10^30 alike: one rule, one message; the clock does not move.
            if (value is not { ValueKind: JsonValueKind.Number } number || !number.TryGetInt64(out var streamMs)
                || streamMs < 0 || streamMs > maxStreamMs)
            {
                return (0, RoomStreamClock.StreamMsRule(maxStreamMs));
            }

            return (streamMs, null);
        }
    }

    private static IResult Error(int status, string code, string message) => ApiError.Result(status, code, message);
}
