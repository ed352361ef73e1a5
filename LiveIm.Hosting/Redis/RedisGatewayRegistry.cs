using System.Text.Json;
using LiveIm.Core.Gateways;
using LiveIm.Core.Serialization;
using StackExchange.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// <see cref="IGatewayRegistry"/> on Redis: each report is JSON at <see cref="RedisKeys.GatewayLoad"/> with a
/// time-to-live, indexed in <see cref="RedisKeys.GatewayIndex"/> (script <c>Scripts/gateway_report.lua</c>). A read is
/// two round trips: the index's live ids, then one MGET of their reports (an expired report is simply missing).
/// </summary>
public sealed class RedisGatewayRegistry : IGatewayRegistry
{
    /// <summary>The report script.</summary>
    public static readonly RedisScript Script = RedisScript.FromResources(typeof(RedisGatewayRegistry).Assembly, "gateway_report.lua");

    private readonly RedisConnection _redis;

    public RedisGatewayRegistry(RedisConnection redis)
    {
        _redis = redis;
    }

    /// <inheritdoc />
    public Task ReportAsync(GatewayLoadReport report, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = JsonSerializer.Serialize(report, LiveImJson.Default.GatewayLoadReport);
        var ttlMs = (long)ttl.TotalMilliseconds;
        return _redis.ScriptAsync(
            Script,
            [RedisKeys.GatewayLoad(report.Id), RedisKeys.GatewayIndex],
            [report.Id, json, ttlMs, report.ReportedAt + ttlMs, report.ReportedAt]);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GatewayLoadReport>> FreshReportsAsync(long nowMs, CancellationToken cancellationToken) =>
        _redis.RunAsync<IReadOnlyList<GatewayLoadReport>>(async db =>
        {
            var ids = await db.SortedSetRangeByScoreAsync(RedisKeys.GatewayIndex, nowMs, double.PositiveInfinity, Exclude.Start);
            if (ids.Length == 0)
            {
                return [];
            }

            var values = await db.StringGetAsync(ids.Select(id => (RedisKey)RedisKeys.GatewayLoad(id.ToString())).ToArray());
            var reports = new List<GatewayLoadReport>(values.Length);
            foreach (var value in values)
            {
                if (!value.IsNull && Parse(value.ToString()) is { } report)
                {
                    reports.Add(report);
                }
            }

            return reports;
        });

    private static GatewayLoadReport? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LiveImJson.Default.GatewayLoadReport);
        }
        catch (JsonException)
        {
            return null; // not ours, or a future shape: skip that gateway rather than fail every assignment
        }
    }
}
