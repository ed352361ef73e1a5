using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Where a service listens is decided by its environment, as deployed: <c>ASPNETCORE_URLS</c>, the <c>Urls</c> variable
/// or <c>--urls</c>. Nothing in appsettings.json pins an address (a container's <c>ASPNETCORE_URLS=http://0.0.0.0:port</c>
/// must not end up on loopback). Each case starts the built service from its own build output, beside its
/// appsettings.json, in a process of its own, with no NATS or Redis
/// to reach (health answers without them), and asks <c>/healthz</c> at the address it was given.
/// </summary>
public sealed class ListenAddressTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "RoomService", "ASPNETCORE_URLS", "127.0.0.1" },
        { "RoomService", "ASPNETCORE_URLS", "0.0.0.0" },
        { "RoomService", "--urls", "127.0.0.1" },
        { "RoomService", "Urls", "0.0.0.0" },
        { "RoomGateway", "ASPNETCORE_URLS", "127.0.0.1" },
        { "RoomGateway", "ASPNETCORE_URLS", "0.0.0.0" },
        { "RoomGateway", "--urls", "0.0.0.0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_service_listens_where_its_environment_says(string service, string how, string host)
    {
        var port = FreePort.Next();
        var url = $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}";
        var closed = FreePort.Next().ToString(CultureInfo.InvariantCulture); // nobody listens: no backend is reached
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development", // the marked development secrets: no secret needed to start
            ["Nats__Url"] = "nats://127.0.0.1:" + closed,
            ["Redis__EndPoint"] = "127.0.0.1:" + closed,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        string[] arguments = [];
        if (how == "--urls")
        {
            arguments = ["--urls", url];
        }
        else
        {
            environment[how] = url;
        }

        await using var process = new ServiceProcess(service, port, environment, arguments);
        Assert.True(File.Exists(Path.Combine(process.OutputFolder, "appsettings.json")), "the service starts beside its own appsettings.json");
        await process.StartAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        Assert.Equal("ok", await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"));

        // The machine's own non-loopback address tells a wildcard bind from a loopback one: reachable there only
        // when the service was told 0.0.0.0. (A machine with no such address checks loopback only.)
        if (OwnAddress() is { } own)
        {
            var reachable = await AcceptsAsync(own, port);
            Assert.True(reachable == (host == "0.0.0.0"), $"{service} told {url}: reachable at {own}:{port} = {reachable}");
            if (reachable)
            {
                Assert.Equal("ok", await http.GetStringAsync($"http://{own}:{port}/healthz"));
            }
        }
    }

    private static IPAddress? OwnAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(3));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
