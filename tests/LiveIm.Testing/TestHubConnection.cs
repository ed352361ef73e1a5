using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveIm.Testing;

/// <summary>
/// A real SignalR <see cref="HubConnectionContext"/> (JSON hub protocol) whose transport is a given pipe writer: a hub
/// connection with no socket, for tests and benchmarks of what the fan-out engine writes to its members.
/// </summary>
public static class TestHubConnection
{
    /// <summary>A connection that writes to <paramref name="output"/> and reads from <paramref name="input"/> (an empty pipe by default).</summary>
    public static HubConnectionContext Json(PipeWriter output, PipeReader? input = null) =>
        new JsonConnection(new PipeConnection(new DuplexPipe(input ?? new Pipe().Reader, output)));

    private sealed class JsonConnection(ConnectionContext context)
        : HubConnectionContext(context, new HubConnectionContextOptions(), NullLoggerFactory.Instance)
    {
        private static readonly IHubProtocol Json = new JsonHubProtocol();

        public override IHubProtocol Protocol => Json;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class PipeConnection(IDuplexPipe transport) : ConnectionContext
    {
        public override string ConnectionId { get; set; } = Guid.NewGuid().ToString("N");

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = transport;
    }
}
