using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// A LiveIm that is already running (./run.sh by default): tokens from RoomService's dev-token endpoint
/// (<c>DevTokens:Enabled</c>, on in ./run.sh), processes found by their listening ports.
/// </summary>
internal sealed class RunningSystem : SpikeSystem
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Uri? _natsMonitor;
    private IReadOnlyList<TargetProcess> _processes = [];

    public RunningSystem(Uri roomService, IReadOnlyList<Uri> gateways, Uri? natsMonitor)
    {
        RoomService = roomService;
        Gateways = gateways;
        _natsMonitor = natsMonitor;
    }

    public override Uri RoomService { get; }

    public override IReadOnlyList<Uri> Gateways { get; }

    public override IReadOnlyList<Uri> NatsMonitors => _natsMonitor is null ? [] : [_natsMonitor];

    public override bool CanKill => false;

    public override string Description => $"running LiveIm: RoomService {RoomService}, gateways {string.Join(", ", Gateways)}";

    // Found once by CheckAsync: scanning procfs every second would cost more than it measures.
    public override IReadOnlyList<TargetProcess> Processes { get => _processes; }

    /// <summary>Checks that RoomService answers /healthz and hands out a gateway; says what is missing otherwise.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var health = await _http.GetAsync(new Uri(RoomService, "/healthz"), cancellationToken).ConfigureAwait(false);
            health.EnsureSuccessStatusCode();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException(
                $"RoomService does not answer at {RoomService}healthz ({ex.Message}): start LiveIm (./run.sh) or pass --roomservice URL, or let the runner start it with --start N", ex);
        }

        using var assign = new GatewayAssignment(RoomService);
        var (url, failure, _) = await assign.AssignAsync("spike-check", cancellationToken).ConfigureAwait(false);
        if (url is null)
        {
            throw new InvalidOperationException($"RoomService hands out no gateway ({failure?.ErrorCode}: {failure?.Message}): are the gateways running and reporting to Redis?");
        }

        var list = new List<TargetProcess>();
        Add(list, "roomservice", RoomService.Port);
        for (var i = 0; i < Gateways.Count; i++)
        {
            Add(list, $"gateway_{i + 1}", Gateways[i].Port);
        }

        _processes = list;
    }

    public override async Task<string> TokenAsync(string userId, string role, string? room, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(RoomService, "/api/dev/token"), new { userId, name = userId, role, room }, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"POST {RoomService}api/dev/token answered {(int)response.StatusCode}: the spike senders need dev tokens (DevTokens:Enabled=true, as ./run.sh sets) or --start");
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return json.RootElement.GetProperty("token").GetString() ?? throw new InvalidOperationException("the dev-token answer has no token");
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Add(List<TargetProcess> list, string name, int port)
    {
        if (ListeningProcess.Find(port) is { } pid)
        {
            list.Add(new TargetProcess(name, pid));
        }
    }
}
