using System.Net.Http.Headers;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>The chat budget admin endpoint against hostile requests: each gets its stable code, and nothing breaks.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChatBudgetAdminTests
{
    private const string Token = LiveImCluster.AdminToken;

    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;
    private readonly AdminApi _admin;

    public ChatBudgetAdminTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        _admin = new AdminApi(cluster.RoomServiceUrl);
    }

    public static TheoryData<string?> BadTokens() => new()
    {
        null,                                      // no Authorization header
        "",                                        // "Bearer " and nothing
        Token[..^1] + (Token[^1] == 'x' ? 'y' : 'x'), // right length, wrong last character
        Token[..^1],                               // a prefix of the token
        Token + "x",                               // the token and more
        "short",
        new string('t', 10 * 1024),
        "liveim-DEVELOPMENT-ONLY-admin-token",     // the dev token is not valid here
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_missing_or_wrong_admin_token_is_unauthorized_on_every_method(string? token)
    {
        var room = "guarded-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            var answer = await _admin.SendAsync(method, room, token, method == HttpMethod.Put ? AdminApi.Json("{\"budgetPerSecond\":1}") : null);
            Assert.Equal((401, "unauthorized"), (answer.Status, answer.Error));
        }

        Assert.Equal("default", (await _admin.SendAsync(HttpMethod.Get, room, Token)).Field("source")); // nothing was set
    }

    [Fact]
    public async Task Another_scheme_or_a_bare_token_is_unauthorized()
    {
        var room = "guarded-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var header in new[] { "Basic " + Token, Token, "Bearer" + Token, "Token " + Token })
        {
            var answer = await _admin.SendAsync(HttpMethod.Get, room, null, tweak: r => r.Headers.TryAddWithoutValidation("Authorization", header));
            _output.WriteLine($"Authorization: {header[..Math.Min(header.Length, 12)]}...: {answer}");
            Assert.Equal((401, "unauthorized"), (answer.Status, answer.Error));
        }
    }

    public static TheoryData<string> BadRoomIds() => new()
    {
        "a.b", "*", ">", "room.>", "a b", " lead", "tab\troom", "ünïcode", "a:b", "a/b", new string('x', 65), new string('y', 4 * 1024),
    };

    [Theory]
    [MemberData(nameof(BadRoomIds))]
    public async Task A_bad_room_id_is_invalid_room_on_every_method(string roomId)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            var answer = await _admin.SendAsync(method, roomId, Token, method == HttpMethod.Put ? AdminApi.Json("{\"budgetPerSecond\":1}") : null);
            Assert.Equal((400, "invalid_room"), (answer.Status, answer.Error));
        }
    }

    [Fact]
    public async Task A_10_KB_room_id_is_refused_by_the_server_before_the_endpoint_runs()
    {
        // Kestrel caps the request line at 8 KB (MaxRequestLineSize) and answers 414 itself: the room id never gets
        // as far as the endpoint, let alone Redis.
        var answer = await _admin.SendAsync(HttpMethod.Put, new string('y', 10 * 1024), Token, AdminApi.Json("{\"budgetPerSecond\":1}"));
        Assert.Equal(414, answer.Status);
    }

    public static TheoryData<string, string?, string> BadBodies() => new()
    {
        // what, content type (null: none), body
        { "negative", "application/json", "{\"budgetPerSecond\": -1}" },
        { "above the maximum", "application/json", "{\"budgetPerSecond\": 10001}" },
        { "huge", "application/json", "{\"budgetPerSecond\": 99999999999999999999999999}" },
        { "beyond int", "application/json", "{\"budgetPerSecond\": 2147483648}" },
        { "fractional", "application/json", "{\"budgetPerSecond\": 1.5}" },
        { "exponent", "application/json", "{\"budgetPerSecond\": 1e3}" },
        { "string", "application/json", "{\"budgetPerSecond\": \"10\"}" },
        { "null", "application/json", "{\"budgetPerSecond\": null}" },
        { "boolean", "application/json", "{\"budgetPerSecond\": true}" },
        { "object", "application/json", "{\"budgetPerSecond\": {\"value\": 5}}" },
        { "missing", "application/json", "{}" },
        { "misspelled", "application/json", "{\"budgetpersecond\": 5}" },
        { "extra property", "application/json", "{\"budgetPerSecond\": 5, \"roomId\": \"other\"}" },
        { "twice", "application/json", "{\"budgetPerSecond\": 5, \"budgetPerSecond\": 6}" },
        { "bare number", "application/json", "5" },
        { "array", "application/json", "[{\"budgetPerSecond\": 5}]" },
        { "json null", "application/json", "null" },
        { "malformed", "application/json", "{\"budgetPerSecond\": 5" },
        { "trailing garbage", "application/json", "{\"budgetPerSecond\": 5} x" },
        { "deep nesting", "application/json", new string('[', 500) + new string(']', 500) },
        { "empty", "application/json", "" },
        { "whitespace", "application/json", "   " },
        { "form encoded", "application/x-www-form-urlencoded", "budgetPerSecond=5" },
        { "text/plain", "text/plain", "{\"budgetPerSecond\": 5}" },
        { "no content type", null, "{\"budgetPerSecond\": 5}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_invalid_argument_and_changes_nothing(string what, string? contentType, string body)
    {
        var room = "body-" + Guid.NewGuid().ToString("N")[..8];
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        var answer = await _admin.SendAsync(HttpMethod.Put, room, Token, content);
        _output.WriteLine($"{what}: {answer}");
        Assert.Equal((400, "invalid_argument"), (answer.Status, answer.Error));
        Assert.False(string.IsNullOrEmpty(answer.Field("message")));
        Assert.Equal("default", (await _admin.SendAsync(HttpMethod.Get, room, Token)).Field("source"));
    }

    [Fact]
    public async Task Invalid_utf8_is_invalid_argument()
    {
        var content = new ByteArrayContent([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var answer = await _admin.SendAsync(HttpMethod.Put, "utf8-room", Token, content);
        Assert.Equal((400, "invalid_argument"), (answer.Status, answer.Error));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_huge_body_is_invalid_argument_with_or_without_a_content_length(bool chunked)
    {
        var room = "huge-" + Guid.NewGuid().ToString("N")[..8];
        var json = "{\"budgetPerSecond\": 5, \"padding\": \"" + new string('p', 1024 * 1024) + "\"}";
        var answer = await _admin.SendAsync(HttpMethod.Put, room, Token, AdminApi.Json(json), r => r.Headers.TransferEncodingChunked = chunked);
        Assert.Equal((400, "invalid_argument"), (answer.Status, answer.Error));
        Assert.Contains("larger than 1024 bytes", answer.Field("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_hostile_requests_the_endpoint_and_chat_still_work()
    {
        var room = "survivor-" + Guid.NewGuid().ToString("N")[..8];
        await _admin.SendAsync(HttpMethod.Put, room, "wrong-token-wrong-token", AdminApi.Json("{\"budgetPerSecond\":1}"));
        await _admin.SendAsync(HttpMethod.Put, room, Token, AdminApi.Json("{\"budgetPerSecond\":"));
        await _admin.SendAsync(HttpMethod.Put, room, Token, AdminApi.Json("{\"budgetPerSecond\": 5, \"p\": \"" + new string('p', 100_000) + "\"}"));
        await _admin.SendAsync(HttpMethod.Put, "a.b", Token, AdminApi.Json("{\"budgetPerSecond\":1}"));

        await _admin.SetBudgetAsync(room, 3);
        Assert.Equal("3", (await _admin.SendAsync(HttpMethod.Get, room, Token)).Field("budgetPerSecond"));
        await using var client = await _cluster.ConnectAsync(0, _cluster.Token("survivor"));
        await client.JoinRoomAsync(room);
        Assert.Equal("ok", (await client.SendChatAsync("still here")).Status);
    }
}
