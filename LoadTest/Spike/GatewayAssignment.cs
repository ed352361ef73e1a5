using System.Net;
using System.Text.Json;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary><c>GET /api/gateways/assign?roomId=</c> on RoomService: where a viewer of a room should connect (docs/protocol.md).</summary>
internal sealed class GatewayAssignment : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _roomService;

    public GatewayAssignment(Uri roomService)
    {
        _roomService = roomService;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>The gateway's base URL, or the failure as a response (<c>assign_unavailable</c>, <c>assign_timeout</c>, <c>not_loopback</c>, …).</summary>
    public async Task<(Uri? Url, Response? Failure, TimeSpan? RetryAfter)> AssignAsync(string roomId, CancellationToken cancellationToken)
    {
        var (url, _, failure, retry) = await AssignAvoidingAsync(roomId, [], cancellationToken).ConfigureAwait(false);
        return (url, failure, retry);
    }

    /// <summary>
    /// As <see cref="AssignAsync"/>, passing over the gateways in <paramref name="avoid"/> (ids the viewer could not
    /// reach) while assignment has others, as LiveIm's clients do; also answers the chosen gateway's id.
    /// </summary>
    public async Task<(Uri? Url, string? GatewayId, Response? Failure, TimeSpan? RetryAfter)> AssignAvoidingAsync(
        string roomId, IReadOnlyList<string> avoid, CancellationToken cancellationToken)
    {
        try
        {
            var query = $"/api/gateways/assign?roomId={Uri.EscapeDataString(roomId)}" + string.Concat(avoid.Select(id => "&avoid=" + Uri.EscapeDataString(id)));
            using var response = await _http.GetAsync(new Uri(_roomService, query), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var code = TryCode(body) ?? $"http_{(int)response.StatusCode}";
                var retry = response.Headers.RetryAfter?.Delta;
                return (null, null, Response.Fail("assign_" + code, Trim(body)), retry);
            }

            using var json = JsonDocument.Parse(body);
            var url = json.RootElement.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String && Uri.TryCreate(u.GetString(), UriKind.Absolute, out var parsed) ? parsed : null;
            if (url is null)
            {
                return (null, null, Response.Fail("assign_bad_answer", Trim(body)), null);
            }

            var id = json.RootElement.TryGetProperty("gatewayId", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
            return Loopback.IsLoopback(url) ? (url, id, null, null) : (null, null, Response.Fail("not_loopback", $"assignment handed {url}"), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null, Response.Fail("assign_timeout", "no answer within 5 s"), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            return (null, null, Response.Fail("assign_" + ErrorCodes.From(ex), ex.Message), null);
        }
    }

    public void Dispose() => _http.Dispose();

    private static string? TryCode(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? Response.SafeCode(e.GetString()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Trim(string text) => text.Length > 200 ? text[..200] : text;
}
