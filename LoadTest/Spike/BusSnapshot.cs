using System.Text.Json;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Messages NATS delivered per room subject (<c>liveim.room.&lt;roomId&gt;</c>), summed over its subscriptions, and how
/// many subscriptions each has: from the monitoring endpoint <c>GET /subsz?subs=1</c> (per subscription: subject, msgs).
/// </summary>
internal sealed record BusSnapshot(IReadOnlyDictionary<string, (long Messages, int Subscriptions)> Rooms)
{
    private const string Prefix = "liveim.room.";

    /// <summary>Reads every NATS node's subscriptions; null when none answers.</summary>
    public static async Task<BusSnapshot?> ReadAsync(IReadOnlyList<Uri> monitors, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var rooms = new Dictionary<string, (long, int)>(StringComparer.Ordinal);
        var answered = false;
        foreach (var monitor in monitors)
        {
            try
            {
                using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(monitor, "/subsz?subs=1&limit=1000000"), cancellationToken).ConfigureAwait(false));
                answered = true;
                if (!json.RootElement.TryGetProperty("subscriptions_list", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var sub in list.EnumerateArray())
                {
                    var subject = sub.TryGetProperty("subject", out var s) ? s.GetString() : null;
                    if (subject is null || !subject.StartsWith(Prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var room = subject[Prefix.Length..];
                    var msgs = sub.TryGetProperty("msgs", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
                    var (total, count) = rooms.GetValueOrDefault(room);
                    rooms[room] = (total + msgs, count + 1);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
            {
                // This node does not answer; the others may.
            }
        }

        return answered ? new BusSnapshot(rooms) : null;
    }
}
