using System.Diagnostics;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Metrics;
using LiveIm.Hosting.Redis;
using LiveIm.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The Redis adapter (<see cref="RedisConnection"/>) against a real redis-server: where LiveIm differs from
/// StackExchange.Redis's defaults (fail fast while disconnected, a 1 s timeout that also catches a server that keeps
/// its socket but stops answering, readiness that says so), scripts by SHA1 surviving a flush and a restart, which
/// error replies are "unavailable" and which are bugs, passwords and ACL users.
/// </summary>
public sealed class RedisConnectionTests
{
    private static readonly RedisScript Incr = RedisScript.FromResources(typeof(RedisConnectionTests).Assembly, "incr.lua");

    private static RedisConnection Connect(string configuration, int timeoutMs = RedisSettings.DefaultTimeoutMs) =>
        new(new RedisSettings { Configuration = configuration, TimeoutMs = timeoutMs }, "adapter-test", new BackendMetrics(), NullLoggerFactory.Instance);

    private static Task<long> IncrAsync(RedisConnection redis, string key) =>
        redis.RunAsync(async db => (long)await db.ScriptEvaluateAsync(Incr.Source, [key]));

    [Fact]
    public async Task Scripts_run_by_sha1_and_survive_a_script_flush_and_a_restart_that_empty_the_cache()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = Connect(server.EndPoint);
        await redis.WaitConnectedAsync(TimeSpan.FromSeconds(10));
        await using var admin = await TestRedis.ConnectAsync(server.EndPoint);

        Assert.Equal(1, (long)await redis.ScriptAsync(Incr, ["k"], []));
        var before = await ScriptCallsAsync(admin);
        for (var i = 2; i <= 11; i++)
        {
            Assert.Equal(i, (long)await redis.ScriptAsync(Incr, ["k"], []));
        }

        var after = await ScriptCallsAsync(admin);
        Assert.Equal(10, after.EvalSha - before.EvalSha); // the 40-byte digest, not the source
        Assert.Equal(before.Eval, after.Eval);
        Assert.Equal(before.Load, after.Load);

        await admin.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.Equal(12, (long)await redis.ScriptAsync(Incr, ["k"], [])); // NOSCRIPT handled by the library, once

        await server.RestartAsync(TimeSpan.FromMilliseconds(100));
        await Eventually.TrueAsync(() => Task.FromResult(redis.NotReadyReason() is null), TimeSpan.FromSeconds(10), "the client reconnects");
        Assert.Equal(1, (long)await redis.ScriptAsync(Incr, ["k"], [])); // a new, empty server: the script is loaded again
    }

    [Fact]
    public async Task While_redis_is_down_calls_fail_at_once_with_unavailable_and_work_again_after_a_restart()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = Connect(server.EndPoint);
        await redis.WaitConnectedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await IncrAsync(redis, "n"));

        await server.StopAsync();
        await Eventually.TrueAsync(() => Task.FromResult(redis.NotReadyReason() == "redis disconnected"), TimeSpan.FromSeconds(5), "readiness sees the loss");
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => IncrAsync(redis, "n"));
            Assert.True(clock.ElapsedMilliseconds < 200, $"failed after {clock.ElapsedMilliseconds} ms, not at once");
            Assert.Equal("redis is not connected", error.Message);
        }

        // Twice, to show the client keeps healing.
        for (var round = 0; round < 2; round++)
        {
            await server.StartAsync();
            await Eventually.TrueAsync(() => Task.FromResult(redis.NotReadyReason() is null), TimeSpan.FromSeconds(10), "the client reconnects by itself");
            Assert.Equal(1, await IncrAsync(redis, "n")); // no persistence: a new server
            await server.StopAsync();
        }
    }

    [Fact]
    public async Task A_process_that_starts_before_redis_serves_unavailable_until_redis_comes_up()
    {
        var server = new RedisServer();
        try
        {
            await using var redis = Connect(server.EndPoint);
            Assert.NotNull(redis.NotReadyReason());
            await Assert.ThrowsAsync<StoreUnavailableException>(() => IncrAsync(redis, "late"));
            await server.StartAsync();
            await Eventually.TrueAsync(() => Task.FromResult(redis.NotReadyReason() is null), TimeSpan.FromSeconds(15), "the client connects once redis is up");
            Assert.Equal(1, await IncrAsync(redis, "late"));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stopped_server_that_keeps_its_socket_fails_calls_within_the_timeout_and_recovers_without_a_restart()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = Connect(server.EndPoint, timeoutMs: 500);
        await redis.WaitConnectedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await IncrAsync(redis, "h"));

        await server.PauseAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => IncrAsync(redis, "h"));
            Assert.InRange(clock.ElapsedMilliseconds, 450, 500 + 250 + 400); // the timeout, checked every 250 ms, plus slack
            Assert.Equal("redis did not answer within 500 ms", error.Message);
            Assert.IsAssignableFrom<TimeoutException>(error.InnerException); // RedisTimeoutException is not a RedisException
            Assert.Equal("redis not answering within 500 ms", redis.NotReadyReason());
        }
        finally
        {
            await server.ResumeAsync();
        }

        // The command that timed out ran once the server woke up: a late reply does not shift later replies.
        Assert.Equal(3, await IncrAsync(redis, "h"));
        Assert.Null(redis.NotReadyReason());
    }

    [Fact]
    public async Task A_busy_server_is_unavailable_and_a_script_error_is_a_bug_that_leaves_the_connection_working()
    {
        await using var server = await RedisServer.StartNewAsync("--busy-reply-threshold", "100");
        await using var redis = Connect(server.EndPoint);
        await using var spinner = await TestRedis.ConnectAsync(server.EndPoint, "spinner");
        await redis.WaitConnectedAsync(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<RedisServerException>(() => redis.RunAsync(db => db.ScriptEvaluateAsync("return redis.call('NOSUCHCOMMAND')")));
        Assert.Contains("Unknown Redis command", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await IncrAsync(redis, "b"));

        // A script that holds the server for 800 ms: after 100 ms everybody else gets BUSY.
        var spin = spinner.ExecuteAsync("EVAL", "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]; " +
            "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > 800000; return 1", "0");
        await Task.Delay(300);
        var busy = await Assert.ThrowsAsync<StoreUnavailableException>(() => IncrAsync(redis, "b"));
        Assert.StartsWith("redis refused the call for now: BUSY", busy.Message, StringComparison.Ordinal);
        await spin;
        Assert.Equal(2, await IncrAsync(redis, "b"));
    }

    [Fact]
    public async Task A_password_and_an_acl_user_authenticate_and_a_wrong_password_leaves_the_process_not_ready()
    {
        await using var server = await RedisServer.StartNewAsync("--requirepass", "s3cret-pass");
        await using (var admin = await TestRedis.ConnectAsync(server.EndPoint + ",password=s3cret-pass"))
        {
            await admin.ExecuteAsync("ACL", "SETUSER", "liveim", "on", ">user-pass", "~liveim:*", "+@all");
        }

        // The old settings (Redis:EndPoint + Redis:Password), a password= in the configuration string, an ACL user.
        var settings = new[]
        {
            new RedisSettings { EndPoint = server.EndPoint, Password = "s3cret-pass" },
            new RedisSettings { Configuration = server.EndPoint + ",password=s3cret-pass" },
            new RedisSettings { Configuration = server.EndPoint + ",user=liveim,password=user-pass" },
        };
        foreach (var setting in settings)
        {
            await using var redis = new RedisConnection(setting, "auth-test", new BackendMetrics(), NullLoggerFactory.Instance);
            await redis.WaitConnectedAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(1, await IncrAsync(redis, "liveim:" + Guid.NewGuid().ToString("N")));
        }

        await using var wrong = Connect(server.EndPoint + ",password=wrong");
        await Task.Delay(500);
        Assert.NotNull(wrong.NotReadyReason());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => IncrAsync(wrong, "x"));
    }

    [Theory]
    [InlineData("bogus=1", "Redis:Configuration is not a valid Redis configuration: Keyword 'bogus' is not supported")]
    [InlineData("127.0.0.1:6379,asyncTimeout=abc", "Redis:Configuration is not a valid Redis configuration: Keyword 'asyncTimeout' requires an integer value")]
    [InlineData("127.0.0.1:99999", "Redis:Configuration is not a valid Redis configuration: ")]
    [InlineData("127.0.0.1:notaport", "Redis:Configuration names no Redis endpoint")]
    [InlineData(",,", "Redis:Configuration names no Redis endpoint")]
    [InlineData("password=x", "Redis:Configuration names no Redis endpoint")]
    [InlineData("=", "Redis:Configuration names an endpoint whose host '=' is not a host name or address")]
    [InlineData("bad host:6379", "Redis:Configuration names an endpoint whose host 'bad host' is not a host name or address")]
    public void A_malformed_configuration_string_is_refused_with_the_setting_named(string configuration, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RedisSettings { Configuration = configuration }.ToOptions("t"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:notaport", "Redis:EndPoint names no Redis endpoint")]
    [InlineData("host:0x10", "Redis:EndPoint names no Redis endpoint")]
    public void A_malformed_end_point_is_refused_with_the_setting_named(string endPoint, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RedisSettings { EndPoint = endPoint }.ToOptions("t"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(49)]
    [InlineData(60_001)]
    public void A_timeout_out_of_range_is_refused(int timeoutMs)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new RedisSettings { TimeoutMs = timeoutMs }.ToOptions("t"));
        Assert.StartsWith("Redis:TimeoutMs must be 50..60000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_endpoints_tls_a_user_and_a_sentinel_service_are_taken_as_written_with_our_timeouts_on_top()
    {
        var options = new RedisSettings
        {
            Configuration = "redis-a:6380,redis-b:6380,user=liveim,password=p,ssl=true,sslHost=redis.example,serviceName=mymaster,asyncTimeout=9000",
            TimeoutMs = 800,
        }.ToOptions("roomservice");
        Assert.Equal(["Unspecified/redis-a:6380", "Unspecified/redis-b:6380"], options.EndPoints.Select(e => e.ToString()));
        Assert.Equal(("liveim", "p", true, "redis.example", "mymaster"), (options.User, options.Password, options.Ssl, options.SslHost, options.ServiceName));
        Assert.Equal((800, 800, false), (options.AsyncTimeout, options.SyncTimeout, options.AbortOnConnectFail));
        Assert.Equal("roomservice", options.ClientName);

        // The old single endpoint keeps working, with its separate password.
        var old = new RedisSettings { EndPoint = "10.0.0.5:6379", Password = "pw" }.ToOptions("gateway:gw1");
        Assert.Equal((1, "pw", "gateway:gw1"), (old.EndPoints.Count, old.Password, old.ClientName));
    }

    private static async Task<(long EvalSha, long Eval, long Load)> ScriptCallsAsync(RedisConnection admin)
    {
        var info = (string?)await admin.ExecuteAsync("INFO", "commandstats") ?? string.Empty;
        long Calls(string command)
        {
            var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_" + command + ":", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (Calls("evalsha"), Calls("eval"), Calls("script|load"));
    }
}
