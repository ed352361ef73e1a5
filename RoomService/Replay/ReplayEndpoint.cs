using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Rooms;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Http;
using LiveIm.RoomService.Stores;

namespace LiveIm.RoomService.Replay;

/// <summary>
/// <c>GET /api/rooms/{roomId}/replay?epoch=&amp;fromMs=&amp;toMs=&amp;limit=&amp;cursor=&amp;lane=</c>: the events of one
/// stream epoch whose <c>streamTs</c> lies in [fromMs, toMs], in stream order (ties by id), paged with an opaque
/// cursor. Answers <c>{roomId, epoch, events, nextCursor}</c> (<see cref="ReplayPage"/>); the events are the stored
/// wire JSON, byte for byte what was published. Public, like a VOD: everything in it was broadcast to anybody who could
/// join the room, anonymous viewers included (docs/protocol.md, "Replay"). Errors are <c>{error, message}</c>:
/// 400 <c>invalid_room</c>, 400 <c>invalid_argument</c>, 503 <c>unavailable</c>.
/// </summary>
public static class ReplayEndpoint
{
    /// <summary>Page size when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 200;

    /// <summary>Largest page: 1,000 events of ~300 bytes is ~300 KB, about 5 ms of Redis time (docs/replay-performance.md).</summary>
    public const int MaxLimit = 1000;

    private static readonly string[] Known = ["epoch", "fromMs", "toMs", "limit", "cursor", "lane"];

    /// <summary>The rate-limiting policy of the endpoint: <see cref="ReplayOptions.PerIpPerSecond"/> per client address.</summary>
    public const string RatePolicy = "replay-per-ip";

    /// <summary>
    /// Registers the per-address limit (ASP.NET Core's rate limiter over System.Threading.RateLimiting: one token bucket
    /// per address, replenished by the partitioned limiter's one timer, idle buckets dropped). A refused page is 429
    /// with <c>Retry-After</c> and <c>{"error":"rate_limited","message":"... retryAfterMs=n"}</c>.
    /// </summary>
    public static void AddReplayRateLimit(this IServiceCollection services, ReplayOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RatePolicy, context =>
            {
                if (options.PerIpPerSecond == 0)
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }

                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.PerIpBurst,
                    TokensPerPeriod = options.PerIpPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    AutoReplenishment = true,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfterMs = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds))
                    : 1000;
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfterMs / 1000.0)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await response.WriteAsJsonAsync(
                    new { error = ErrorCodes.RateLimited, message = $"replay limit of {options.PerIpPerSecond} pages/s per address retryAfterMs={retryAfterMs}" }, ct);
            };
        });
    }

    /// <summary>Maps the endpoint.</summary>
    public static void MapReplay(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/rooms/{roomId}/replay", async (string roomId, HttpRequest request, IRoomStore store, CancellationToken ct) =>
        {
            if (!RoomIds.IsValid(roomId))
            {
                return Error(ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
            }

            var query = Parse(request.Query);
            if (query.Error is { } error)
            {
                return Error(ErrorCodes.InvalidArgument, error);
            }

            ReplaySlice slice;
            try
            {
                slice = await store.ReadReplayAsync(roomId, query.Epoch, query.FromMs, query.ToMs, query.After, query.Limit, query.Lanes, ct);
            }
            catch (StoreUnavailableException)
            {
                return ApiError.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the room store is unavailable; retry later");
            }

            return Results.Bytes(Write(roomId, query.Epoch, slice), "application/json");
        }).RequireRateLimiting(RatePolicy);
    }

    private const string Usage =
        "parameters: epoch (required, >= 1), fromMs (default 0), toMs (default: the end of the epoch; >= fromMs), "
        + "limit (1..1000, default 200), cursor (from the previous page), lane (gift|chat|like|system, repeated or comma-separated)";

    private sealed record Query(long Epoch, long FromMs, long ToMs, int Limit, long? After, IReadOnlyCollection<string>? Lanes, string? Error = null);

    // Strict on purpose: a parameter given twice, an unknown one (a typo such as `from=` would otherwise return the
    // whole epoch), a sign, a fraction or an overflow is a 400 with the rule, never a guess.
    private static Query Parse(IQueryCollection q)
    {
        foreach (var (name, _) in q)
        {
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                return new Query(0, 0, 0, 0, null, null, $"unknown parameter '{Truncate(name)}'; " + Usage);
            }
        }

        if (!Number(q, "epoch", out var epoch, out var bad) || epoch is not >= 1)
        {
            return new Query(0, 0, 0, 0, null, null, bad ?? "epoch is required: a whole number >= 1 (the streamEpoch of the events)");
        }

        if (!Number(q, "fromMs", out var from, out bad))
        {
            return new Query(0, 0, 0, 0, null, null, bad);
        }

        if (!Number(q, "toMs", out var to, out bad) || (to ?? long.MaxValue) < (from ?? 0))
        {
            return new Query(0, 0, 0, 0, null, null, bad ?? "toMs must be >= fromMs");
        }

        if (!Number(q, "limit", out var limit, out bad) || limit is < 1 or > MaxLimit)
        {
            return new Query(0, 0, 0, 0, null, null, bad ?? $"limit must be between 1 and {MaxLimit}");
        }

        long? after = null;
        if (q.TryGetValue("cursor", out var cursors))
        {
            if (cursors.Count != 1 || !ReplayCursor.TryDecode(cursors[0] ?? string.Empty, epoch.Value, out var a))
            {
                return new Query(0, 0, 0, 0, null, null, "cursor must be the nextCursor of a page of this epoch, given once");
            }

            after = a;
        }

        HashSet<string>? lanes = null;
        if (q.TryGetValue("lane", out var laneValues))
        {
            lanes = [];
            foreach (var value in laneValues)
            {
                foreach (var lane in (value ?? string.Empty).Split(','))
                {
                    if (lane is not (Lane.Gift or Lane.Chat or Lane.Like or Lane.System))
                    {
                        return new Query(0, 0, 0, 0, null, null, $"lane must be gift, chat, like or system (got '{Truncate(lane)}')");
                    }

                    lanes.Add(lane);
                }
            }
        }

        return new Query(epoch.Value, from ?? 0, to ?? long.MaxValue, (int)(limit ?? DefaultLimit), after, lanes);
    }

    // Absent: true with null. Present: exactly one value of decimal digits that fits a long (no sign, no fraction).
    private static bool Number(IQueryCollection q, string name, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (!q.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            error = $"{name} must be given once, as a whole number >= 0 that fits 64 bits";
            return false;
        }

        value = parsed;
        return true;
    }

    private static byte[] Write(string roomId, long epoch, ReplaySlice slice)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + slice.Events.Sum(e => e.Length + 1));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("roomId"u8, roomId);
            writer.WriteNumber("epoch"u8, epoch);
            writer.WriteStartArray("events"u8);
            foreach (var json in slice.Events)
            {
                // Stored by our own scripts from our own serializer: written as they are, not parsed again.
                writer.WriteRawValue(json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            if (slice.NextAfter is { } after)
            {
                writer.WriteString("nextCursor"u8, ReplayCursor.Encode(epoch, after));
            }
            else
            {
                writer.WriteNull("nextCursor"u8);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";

    private static IResult Error(string code, string message) => ApiError.Result(StatusCodes.Status400BadRequest, code, message);
}
