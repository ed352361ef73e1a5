using Microsoft.Extensions.Logging;

namespace LiveIm.Redis.Tests.Support;

/// <summary>Client construction shared by the integration tests.</summary>
public static class Clients
{
    /// <summary>Short reconnect waits so restart tests finish in well under a second after the server is back.</summary>
    public static RedisOptions Options(
        string endPoint,
        string? password = null,
        string? user = null,
        int database = 0,
        TimeSpan? commandTimeout = null,
        TimeSpan? connectTimeout = null,
        string clientName = "liveim-test",
        ILoggerFactory? loggerFactory = null) => new()
    {
        EndPoint = endPoint,
        Password = password,
        User = user,
        Database = database,
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(2),
        ReconnectWaitMin = TimeSpan.FromMilliseconds(20),
        ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
        ClientName = clientName,
        LoggerFactory = loggerFactory,
    };

    public static async Task<RedisClient> ConnectAsync(RedisOptions options)
    {
        var client = new RedisClient(options);
        try
        {
            await client.ConnectAsync();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>A key no other test uses.</summary>
    public static string Key(string name) => $"test:{name}:{Guid.NewGuid():N}";
}
