using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.Core.Events;
using LiveIm.Core.Serialization;

namespace LiveIm.Client.Replay;

/// <summary>
/// Reads RoomService's replay API (<c>GET /api/rooms/{roomId}/replay</c>, docs/protocol.md "Replay"): every event of a
/// stream-time window of one epoch, all pages. <see cref="FetchAsync(long, long, long, CancellationToken)"/> has the shape of
/// <see cref="Alignment.PlaybackAlignerOptions.Replay"/>: <c>Replay = replayClient.FetchAsync</c>.
/// </summary>
public sealed class ReplayClient
{
    private readonly HttpClient _http;
    private readonly Uri _roomServiceUrl;
    private readonly string _roomId;
    private readonly int _pageSize;
    private readonly int _maxEvents;
    private long _pages;

    /// <summary>A fetcher for one room.</summary>
    /// <param name="http">The HTTP client (its timeout bounds each page).</param>
    /// <param name="roomServiceUrl">RoomService's base address, e.g. <c>http://roomservice:5100/</c>.</param>
    /// <param name="roomId">The room.</param>
    /// <param name="pageSize">Events per request, 1..1000 (the server's largest page is cheapest per event).</param>
    /// <param name="maxEvents">
    /// Most events one fetch returns before it gives up with <see cref="InvalidOperationException"/> (a window larger
    /// than a client should hold: the aligner reports it as a replay failure and carries on). 50,000 is about 15 MB.
    /// </param>
    public ReplayClient(HttpClient http, Uri roomServiceUrl, string roomId, int pageSize = 1000, int maxEvents = 50_000)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(roomServiceUrl);
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        _http = http;
        _roomServiceUrl = roomServiceUrl;
        _roomId = roomId;
        _pageSize = pageSize;
        _maxEvents = maxEvents;
    }

    /// <summary>Pages fetched so far (all fetches).</summary>
    public long Pages => Interlocked.Read(ref _pages);

    /// <summary>
    /// All events of <paramref name="epoch"/> with streamTs in [<paramref name="fromMs"/>, <paramref name="toMs"/>]
    /// (<see cref="long.MaxValue"/>: to the end of the epoch), in stream order (ties by id), following the cursor until
    /// the last page. Throws <see cref="HttpRequestException"/> on an error answer (its message carries the coded body).
    /// </summary>
    public Task<IReadOnlyList<RoomEvent>> FetchAsync(long epoch, long fromMs, long toMs, CancellationToken cancellationToken) =>
        FetchAsync(epoch, fromMs, toMs, lanes: null, cancellationToken);

    /// <summary>As <see cref="FetchAsync(long, long, long, CancellationToken)"/>, only events of <paramref name="lanes"/> (null: all).</summary>
    public async Task<IReadOnlyList<RoomEvent>> FetchAsync(
        long epoch, long fromMs, long toMs, IReadOnlyCollection<string>? lanes, CancellationToken cancellationToken)
    {
        var events = new List<RoomEvent>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(epoch, fromMs, toMs, cursor, lanes, cancellationToken);
            Interlocked.Increment(ref _pages);
            events.AddRange(page.Events);
            if (events.Count > _maxEvents)
            {
                throw new InvalidOperationException(
                    $"replay window ({epoch}, {fromMs}..{toMs}) holds more than {_maxEvents} events; fetch a smaller window");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return events;
    }

    /// <summary>One page (<paramref name="cursor"/>: null for the first, then the previous page's next cursor).</summary>
    public async Task<ReplayPage> PageAsync(
        long epoch, long fromMs, long toMs, string? cursor, IReadOnlyCollection<string>? lanes, CancellationToken cancellationToken)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"epoch={epoch}&fromMs={fromMs}&limit={_pageSize}");
        if (toMs != long.MaxValue)
        {
            query += string.Create(CultureInfo.InvariantCulture, $"&toMs={toMs}");
        }

        if (cursor is not null)
        {
            query += "&cursor=" + Uri.EscapeDataString(cursor);
        }

        if (lanes is { Count: > 0 })
        {
            query += "&lane=" + Uri.EscapeDataString(string.Join(',', lanes));
        }

        var uri = new Uri(_roomServiceUrl, $"/api/rooms/{Uri.EscapeDataString(_roomId)}/replay?{query}");
        using var response = await _http.GetAsync(uri, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"replay answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync(LiveImJson.Default.ReplayPage, cancellationToken)
            ?? throw new JsonException("replay answered null");
    }
}
