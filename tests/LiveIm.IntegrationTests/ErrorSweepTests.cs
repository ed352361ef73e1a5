using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Hubs;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Every error a client can meet, swept: each wrong call of every hub method (argument counts and JSON types, from the
/// hub's own signatures), unknown methods, bad tokens, and bad bodies, content types, paths and methods on every HTTP
/// endpoint of RoomService and the gateway. Each answer must carry a code that docs/protocol.md documents, and a
/// message a person can read: no exception type, stack trace or framework text. Every test prints what it got.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed partial class ErrorSweepTests
{
    // Framework text that must never reach a client: exception types and traces, SignalR's and System.Text.Json's
    // wording, the token validator's IDX numbers.
    private static readonly string[] FrameworkText =
    [
        "Exception", "   at ", "System.", "Microsoft.", "Failed to invoke", "due to an error on the server", "Method does not exist",
        "LineNumber", "BytePositionInLine", "Path: $", "IDX", "Stack", "<html",
    ];

    private readonly HostileCluster _cluster;
    private readonly ITestOutputHelper _output;

    public ErrorSweepTests(HostileCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    /// <summary>The codes a client may see: the constants of <see cref="ErrorCodes"/>.</summary>
    private static HashSet<string> CodeConstants { get; } = typeof(ErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_error_code_is_documented_in_protocol_md_and_every_documented_code_exists()
    {
        var protocol = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "docs", "protocol.md"));
        var errors = protocol[protocol.IndexOf("\n## Errors", StringComparison.Ordinal)..];
        errors = errors[..errors.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = CodeRow().Matches(errors).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        _output.WriteLine("ErrorCodes: " + string.Join(", ", CodeConstants.Order()));
        _output.WriteLine("protocol.md: " + string.Join(", ", documented.Order()));
        Assert.Equal(CodeConstants.Order(), documented.Order());
    }

    [Fact]
    public async Task Every_wrong_call_of_every_hub_method_gets_a_documented_code_and_a_readable_message()
    {
        var room = "sweep-" + Guid.NewGuid().ToString("N")[..10];
        var answers = 0;
        foreach (var method in HubMethods())
        {
            // A connection per method: what the sweep sends must not add up to a per-connection limit.
            await using var socket = await ConnectAsync(room, _cluster.Token("sweeper-" + room, Roles.Streamer, room));
            foreach (var (what, arguments) in WrongCalls(method))
            {
                var outcome = await socket.InvokeAsync(method.Name, arguments, Timeout());
                _output.WriteLine($"{method.Name}({arguments.Truncate(40)}) [{what}] -> {outcome}");
                Assert.True(outcome.Kind == HubOutcomeKind.Error, $"{method.Name} {what}: expected an error, got {outcome}");
                AssertCoded(outcome.Text!, $"{method.Name} {what}");
                Assert.Contains(method.Name, outcome.Text!, StringComparison.Ordinal); // it says which call
                answers++;
            }

            var still = await socket.InvokeAsync("SendChat", "[\"still here\"]", Timeout());
            Assert.True(still.Kind == HubOutcomeKind.Result, $"after the wrong calls of {method.Name} the connection still works: {still}");
        }

        await using var other = await ConnectAsync(room, _cluster.Token("sweeper2-" + room));
        var unknown = new[] { "DropDatabase", string.Empty, "Send Chat", "SendChat\u0000", new string('M', 10_000), "OnConnectedAsync", "Dispose" };
        foreach (var target in unknown)
        {
            var outcome = await other.InvokeAsync(target, "[]", Timeout());
            _output.WriteLine($"'{target.Truncate(20)}'() -> {outcome}");
            Assert.True(outcome.Kind == HubOutcomeKind.Error, $"unknown '{target.Truncate(20)}': {outcome}");
            Assert.StartsWith("unknown_method: ", outcome.Text, StringComparison.Ordinal);
            AssertCoded(outcome.Text!, "unknown method " + target.Truncate(20));
            Assert.True(outcome.Text!.Length < 400, "a long method name is not echoed whole");
            answers++;
        }

        // A method called as a stream (type 4), and a call that sends streams: SignalR's own refusals, coded.
        var oddShapes = new (string What, string Frame, string Id)[]
        {
            ("SendChat as a stream invocation", "{\"type\":4,\"invocationId\":\"s1\",\"target\":\"SendChat\",\"arguments\":[\"x\"]}\u001e", "s1"),
            ("SendChat with streamIds", "{\"type\":1,\"invocationId\":\"s2\",\"target\":\"SendChat\",\"arguments\":[\"x\"],\"streamIds\":[\"9\"]}\u001e", "s2"),
        };
        foreach (var (what, frame, id) in oddShapes)
        {
            await other.SendRawAsync(Encoding.UTF8.GetBytes(frame), Timeout());
            var outcome = await other.ReadOutcomeAsync(id, Timeout());
            _output.WriteLine($"{what} -> {outcome}");
            Assert.True(outcome.Kind is HubOutcomeKind.Error or HubOutcomeKind.Closed, $"{what}: {outcome}");
            AssertCoded(outcome.Text!, what);
            answers++;
        }

        _output.WriteLine($"{answers} wrong calls, every answer coded and readable");
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_a_reason_a_person_can_act_on()
    {
        var valid = _cluster.Token("tok");
        var parts = valid.Split('.');
        var otherKey = new LiveIm.Hosting.Auth.LiveImTokens(new LiveIm.Hosting.Auth.AuthSettings { SigningKey = "another-key-entirely-0123456789abcdef-xyz" });
        var now = DateTime.UtcNow;
        var cases = new (string Name, string Token, string Reason)[]
        {
            ("expired an hour ago", Craft(now.AddHours(-2), now.AddHours(-1)), "it has expired"),
            ("not valid for another hour", Craft(now.AddHours(1), now.AddHours(2)), "not valid yet"),
            ("expiring before it starts", _cluster.Tokens.Issue("tok", "T", Roles.Viewer, null, TimeSpan.FromSeconds(-120)), "lifetime"),
            ("of another issuer", Craft(now, now.AddHours(1), issuer: "someone-else"), "issuer"),
            ("for another audience", Craft(now, now.AddHours(1), audience: "someone-else"), "audience"),
            ("signed with another key", otherKey.Issue("tok", "T", Roles.Viewer, null, TimeSpan.FromHours(1)), "signature"),
            ("signature stripped", parts[0] + "." + parts[1] + ".", "signature"),
            ("not a JWT", "not-a-token", "not a JWT"),
            ("two parts", parts[0] + "." + parts[1], "not a JWT"),
        };
        using var http = new HttpClient { BaseAddress = _cluster.Target.Url, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (name, token, reason) in cases)
        {
            var response = await http.PostAsync("/hubs/room/negotiate?negotiateVersion=1&access_token=" + Uri.EscapeDataString(token), null);
            var body = await response.Content.ReadAsStringAsync();
            _output.WriteLine($"token {name} -> HTTP {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("unauthorized: token rejected: ", body, StringComparison.Ordinal);
            Assert.Contains(reason, body, StringComparison.Ordinal);
            AssertCoded(body, "token " + name);
        }
    }

    // A token signed with the cluster's key, with the given lifetime, issuer and audience.
    private string Craft(DateTime notBefore, DateTime expires, string issuer = "liveim", string audience = "liveim") =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = "tok", ["name"] = "T", ["role"] = Roles.Viewer },
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                _cluster.Tokens.ValidationParameters.IssuerSigningKey, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task Every_bad_request_to_RoomService_and_the_gateway_gets_a_coded_JSON_body()
    {
        // No replay or dev token requests here: the hostile fixture's replay limit per address is tiny, and the scraper
        // test of HostileInputTests counts on its budget; and it is not Development, so it has no dev tokens. The
        // Development sweep below covers both.
        await SweepRoomServiceAsync(_cluster.RoomServiceUrl, LiveImCluster.AdminToken, withReplay: false);
        await SweepGatewayAsync(_cluster.Target.Url);
    }

    [Fact]
    public async Task In_Development_too_a_bad_request_gets_a_coded_JSON_body_and_never_the_developer_exception_page()
    {
        // Development shows ASP.NET Core's developer exception page (stack trace, headers) for an unhandled error, and
        // minimal-API binding throws there; run.sh runs in Development, so that is what a newcomer meets first.
        var port = FreePort.Next();
        var closed = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        await using var service = new ServiceProcess("RoomService", port, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DevTokens__Enabled"] = "true",
            ["Nats__Url"] = "nats://127.0.0.1:" + closed,
            ["Redis__EndPoint"] = "127.0.0.1:" + closed,
            ["Logging__LogLevel__Default"] = "Warning",
        }, "--urls", $"http://127.0.0.1:{port}");
        await service.StartAsync(TimeSpan.FromSeconds(60));
        await SweepRoomServiceAsync(new Uri($"http://127.0.0.1:{port}"), LiveIm.Hosting.Admin.AdminSettings.DevelopmentToken, withReplay: true);
    }

    private async Task SweepRoomServiceAsync(Uri roomService, string adminToken, bool withReplay)
    {
        using var http = new HttpClient { BaseAddress = roomService, Timeout = TimeSpan.FromSeconds(10) };
        var budget = "/api/rooms/sweep-room/chat-budget";
        var clock = "/api/rooms/sweep-room/stream-clock";
        var requests = new List<(string What, Func<HttpRequestMessage> Request, int Status, string Code)>
        {
            ("dev token without a content type", () => Post("/api/dev/token", "{\"userId\":\"a\"}", null), 400, "invalid_argument"),
            ("dev token as text/plain", () => Post("/api/dev/token", "{\"userId\":\"a\"}", "text/plain"), 400, "invalid_argument"),
            ("dev token not JSON", () => Post("/api/dev/token", "not json"), 400, "invalid_argument"),
            ("dev token truncated JSON", () => Post("/api/dev/token", "{\"userId\":"), 400, "invalid_argument"),
            ("dev token empty body", () => Post("/api/dev/token", string.Empty), 400, "invalid_argument"),
            ("dev token a number for userId", () => Post("/api/dev/token", "{\"userId\":5}"), 400, "invalid_argument"),
            ("dev token an array", () => Post("/api/dev/token", "[\"u1\"]"), 400, "invalid_argument"),
            ("dev token a misspelt field", () => Post("/api/dev/token", "{\"userid\":\"u1\"}"), 400, "invalid_argument"),
            ("dev token a field twice", () => Post("/api/dev/token", "{\"userId\":\"u1\",\"userId\":\"u2\"}"), 400, "invalid_argument"),
            ("dev token an unknown role", () => Post("/api/dev/token", "{\"userId\":\"u1\",\"role\":\"admin\"}"), 400, "invalid_argument"),
            ("dev token a streamer without a room", () => Post("/api/dev/token", "{\"userId\":\"u1\",\"role\":\"streamer\"}"), 400, "invalid_room"),
            ("dev token 10 KB", () => Post("/api/dev/token", "{\"userId\":\"" + new string('u', 10_000) + "\"}"), 400, "invalid_argument"),
            ("dev token nested 100 deep", () => Post("/api/dev/token", new string('[', 100) + new string(']', 100)), 400, "invalid_argument"),
            ("dev token with GET", () => new HttpRequestMessage(HttpMethod.Get, "/api/dev/token"), 405, "not_found"),
            ("a path that does not exist", () => new HttpRequestMessage(HttpMethod.Get, "/api/nothing-here"), 404, "not_found"),
            ("chat budget without a token", () => Put(budget, "{\"budgetPerSecond\":5}", null), 401, "unauthorized"),
            ("chat budget not JSON", () => Put(budget, "five", adminToken), 400, "invalid_argument"),
            ("chat budget as text/plain", () => Put(budget, "{\"budgetPerSecond\":5}", adminToken, "text/plain"), 400, "invalid_argument"),
            ("chat budget a string", () => Put(budget, "{\"budgetPerSecond\":\"5\"}", adminToken), 400, "invalid_argument"),
            ("chat budget with POST", () => Post(budget, "{}"), 405, "not_found"),
            ("stream clock without a token", () => Post(clock, "{\"streamMs\":5}"), 401, "unauthorized"),
            ("room info of a bad room id", () => new HttpRequestMessage(HttpMethod.Get, "/api/rooms/bad.room"), 400, "invalid_room"),
            ("assignment with roomId twice", () => new HttpRequestMessage(HttpMethod.Get, "/api/gateways/assign?roomId=a&roomId=b"), 400, "invalid_room"),
        };
        if (!withReplay)
        {
            // The hostile fixture is not Development, so it serves no dev tokens: every such request is an unknown path.
            requests.RemoveAll(r => r.What.StartsWith("dev token", StringComparison.Ordinal));
            requests.Add(("dev token outside Development", () => Post("/api/dev/token", "{\"userId\":\"a\"}"), 404, "not_found"));
        }

        if (withReplay)
        {
            requests.Add(("replay without an epoch", () => new HttpRequestMessage(HttpMethod.Get, "/api/rooms/r1/replay"), 400, "invalid_argument"));
            requests.Add(("replay with a typo", () => new HttpRequestMessage(HttpMethod.Get, "/api/rooms/r1/replay?epoch=1&from=5"), 400, "invalid_argument"));
            requests.Add(("replay of a bad room", () => new HttpRequestMessage(HttpMethod.Get, "/api/rooms/a.b/replay?epoch=1"), 400, "invalid_room"));
        }

        foreach (var (what, request, status, code) in requests)
        {
            await ExpectAsync(http, what, request(), status, code);
        }
    }

    private async Task SweepGatewayAsync(Uri gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        var requests = new (string What, HttpRequestMessage Request, int Status, string Code)[]
        {
            ("drain without a token", Post("/admin/drain", string.Empty), 401, "unauthorized"),
            ("drain with a wrong token and a garbage body", Post("/admin/drain", "{{{", "application/json", "not-the-admin-token"), 401, "unauthorized"),
            ("drain with GET", new HttpRequestMessage(HttpMethod.Get, "/admin/drain"), 405, "not_found"),
            ("a path that does not exist", new HttpRequestMessage(HttpMethod.Get, "/admin/nothing"), 404, "not_found"),
            ("a path under the hub that does not exist", new HttpRequestMessage(HttpMethod.Get, "/hubs/room/nothing/here"), 404, "not_found"),
        };
        foreach (var (what, request, status, code) in requests)
        {
            await ExpectAsync(http, "gateway " + what, request, status, code);
        }
    }

    private async Task ExpectAsync(HttpClient http, string what, HttpRequestMessage request, int status, string code)
    {
        using (request)
        {
            var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            _output.WriteLine($"{what} -> HTTP {(int)response.StatusCode} {response.Content.Headers.ContentType} {body.Truncate(200)}");
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(body);
            var error = json.RootElement.GetProperty("error").GetString()!;
            var message = json.RootElement.GetProperty("message").GetString()!;
            Assert.Equal(code, error);
            AssertCoded($"{error}: {message}", what);
        }
    }

    // "code: message" with a documented code and a message free of framework text.
    private static void AssertCoded(string text, string what)
    {
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        Assert.True(colon > 0, $"{what}: '{text}' is not 'code: message'");
        Assert.True(CodeConstants.Contains(text[..colon]), $"{what}: code '{text[..colon]}' is not documented");
        var message = text[(colon + 2)..];
        Assert.False(string.IsNullOrWhiteSpace(message), $"{what}: empty message");
        foreach (var marker in FrameworkText)
        {
            Assert.False(message.Contains(marker, StringComparison.Ordinal), $"{what}: the message carries framework text '{marker}': {message}");
        }
    }

    // Each hub method once per wrong shape: one argument too few and one too many, then each argument in turn given
    // JSON of the wrong types for its parameter (the rest given valid values).
    private static IEnumerable<(string What, string Arguments)> WrongCalls(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var valid = parameters.Select(p => Valid(p.ParameterType)).ToArray();
        if (parameters.Length > 0)
        {
            yield return ("no arguments", "[]");
        }

        yield return ("one argument too many", "[" + string.Join(",", valid.Append("1")) + "]");
        for (var i = 0; i < parameters.Length; i++)
        {
            foreach (var wrong in Wrong(parameters[i].ParameterType))
            {
                var arguments = (string[])valid.Clone();
                arguments[i] = wrong;
                yield return ($"{parameters[i].Name} = {wrong.Truncate(12)}", "[" + string.Join(",", arguments) + "]");
            }
        }
    }

    private static string Valid(Type type) => type == typeof(string) ? "\"x\"" : "1";

    private static string[] Wrong(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => ["42", "{}", "[]", "true"],
        var t when t == typeof(int) => ["\"1\"", "1.5", "1e30", "{}", Nullable.GetUnderlyingType(type) is null ? "null" : "[]"],
        var t when t == typeof(long) => ["\"1\"", "1.5", "1e300", "{}", Nullable.GetUnderlyingType(type) is null ? "null" : "[]"],
        _ => ["{}"],
    };

    private static IEnumerable<MethodInfo> HubMethods() => typeof(RoomHub)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(RoomHub))
        .OrderBy(m => m.Name, StringComparer.Ordinal);

    private async Task<RawHubSocket> ConnectAsync(string room, string token)
    {
        var socket = new RawHubSocket(receiveBufferBytes: 64 * 1024);
        await socket.ConnectAsync(_cluster.Target.Url, token, Timeout());
        await socket.JoinAsync(room, Timeout());
        return socket;
    }

    private static HttpRequestMessage Post(string path, string body, string? contentType = "application/json", string? bearer = null) =>
        WithBody(HttpMethod.Post, path, body, contentType, bearer);

    private static HttpRequestMessage Put(string path, string body, string? bearer, string contentType = "application/json") =>
        WithBody(HttpMethod.Put, path, body, contentType, bearer);

    private static HttpRequestMessage WithBody(HttpMethod method, string path, string body, string? contentType, string? bearer)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex CodeRow();
}
