using System.Text.RegularExpressions;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Drain;
using YamlDotNet.RepresentationModel;

namespace LiveIm.Deploy.Tests;

/// <summary>
/// docker-compose.yml as Debian's docker-compose reads it (<c>docker-compose config</c>): valid, the topology the
/// operations guide describes, and no secret in the file.
/// </summary>
public sealed partial class ComposeFileTests
{
    /// <summary>Every secret the topology takes from the environment.</summary>
    public static readonly string[] Secrets =
    [
        "LIVEIM_SIGNING_KEY", "LIVEIM_ADMIN_TOKEN", "LIVEIM_SERVICE_TOKEN", "LIVEIM_REDIS_PASSWORD", "LIVEIM_NATS_TOKEN",
        "LIVEIM_GRAFANA_ADMIN_PASSWORD",
    ];

    public static TheoryData<string> EachSecret => new(Secrets);

    [Fact]
    public async Task Compose_config_accepts_the_file_with_every_secret_from_the_environment()
    {
        var config = await ConfigAsync(Secrets.ToDictionary(s => s, s => (string?)("test-value-of-" + s.ToLowerInvariant())));
        Assert.True(config.ExitCode == 0, config.All);

        var services = Services(config.Output);
        Assert.Equal(
            ["alertmanager", "gateway1", "gateway2", "gateway3", "grafana", "nats-exporter1", "nats-exporter2", "nats-exporter3", "nats1", "nats2", "nats3",
             "prometheus", "redis", "redis-exporter", "roomservice1", "roomservice2", "secrets-check"],
            services.Children.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("test-value-of-liveim_signing_key", Scalar(services, "gateway2", "environment", "Auth__SigningKey"));
        Assert.Equal("test-value-of-liveim_service_token", Scalar(services, "roomservice2", "environment", "Service__Token"));
    }

    [Fact]
    public async Task The_three_nats_nodes_form_one_cluster_with_routes_to_each_other()
    {
        var services = Services((await ConfigAsync(AllSecrets())).Output);
        for (var n = 1; n <= 3; n++)
        {
            var command = Sequence(services, "nats" + n, "command");
            Assert.Equal("liveim", After(command, "--cluster_name"));
            Assert.Equal("nats://0.0.0.0:6222", After(command, "--cluster"));
            var routes = After(command, "--routes").Split(',').Order(StringComparer.Ordinal);
            Assert.Equal(Enumerable.Range(1, 3).Where(i => i != n).Select(i => $"nats://nats{i}:6222"), routes);
        }

        foreach (var service in new[] { "roomservice1", "roomservice2", "gateway1", "gateway2", "gateway3" })
        {
            Assert.Equal("nats://nats1:4222,nats://nats2:4222,nats://nats3:4222", Scalar(services, service, "environment", "Nats__Url"));
        }
    }

    [Fact]
    public async Task Redis_keeps_an_append_only_file_on_a_volume()
    {
        var services = Services((await ConfigAsync(AllSecrets())).Output);
        var command = string.Join(' ', Sequence(services, "redis", "command"));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Contains("--requirepass", command, StringComparison.Ordinal);
        Assert.Contains(Sequence(services, "redis", "volumes"), v => v.StartsWith("redis-data:/data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_service_image_is_built_from_its_own_dockerfile()
    {
        var services = Services((await ConfigAsync(AllSecrets())).Output);
        foreach (var (service, project) in new[] { ("roomservice1", "RoomService"), ("roomservice2", "RoomService"), ("gateway1", "RoomGateway"), ("gateway3", "RoomGateway") })
        {
            Assert.Equal(project + "/Dockerfile", Scalar(services, service, "build", "dockerfile"));
            Assert.Equal(Repo.Root, Scalar(services, service, "build", "context"));
            Assert.True(File.Exists(Repo.Path(project, "Dockerfile")));
        }
    }

    [Fact]
    public async Task A_gateways_stop_grace_period_covers_its_drain()
    {
        var services = Services((await ConfigAsync(AllSecrets())).Output);
        var drain = DrainOnShutdown.Longest(new DrainOptions(), new FanoutOptions());
        for (var n = 1; n <= 3; n++)
        {
            var grace = Duration(Scalar(services, "gateway" + n, "stop_grace_period"));
            Assert.True(grace > drain, $"gateway{n}: stop_grace_period {grace} does not cover the drain's {drain}");
        }
    }

    [Fact]
    public async Task The_sentinel_variant_adds_failover_and_points_every_service_at_the_sentinels()
    {
        var config = await Tool.RunAsync(
            "docker-compose", "docker-compose",
            ["-f", Repo.Path("docker-compose.yml"), "-f", Repo.Path("deploy", "compose", "redis-sentinel.yml"), "config"], Repo.Root, AllSecrets());
        Assert.True(config.ExitCode == 0, config.All);
        var services = Services(config.Output);
        Assert.Contains("--replicaof redis 6379", string.Join(' ', Sequence(services, "redis-replica", "command")), StringComparison.Ordinal);
        for (var n = 1; n <= 3; n++)
        {
            Assert.Contains("sentinel monitor liveim redis 6379 2", string.Join(' ', Sequence(services, "sentinel" + n, "command")), StringComparison.Ordinal);
        }

        foreach (var service in new[] { "roomservice1", "roomservice2", "gateway1", "gateway2", "gateway3" })
        {
            Assert.Equal(
                "sentinel1:26379,sentinel2:26379,sentinel3:26379,serviceName=liveim,password=test-value-of-liveim_redis_password",
                Scalar(services, service, "environment", "Redis__Configuration"));
            Assert.Equal(string.Empty, Scalar(services, service, "environment", "Redis__EndPoint"));
            Assert.Equal("test-value-of-liveim_signing_key", Scalar(services, service, "environment", "Auth__SigningKey"));
        }
    }

    [Theory]
    [MemberData(nameof(EachSecret))]
    public async Task Without_a_secret_the_file_still_validates_and_the_secrets_check_names_it_before_anything_holding_a_secret_starts(string missing)
    {
        var environment = AllSecrets();
        environment[missing] = null;
        var config = await ConfigAsync(environment);
        Assert.True(config.ExitCode == 0, config.All); // `docker-compose config` validates the file without secrets

        var services = Services(config.Output);
        var check = string.Join(' ', Sequence(services, "secrets-check", "command"));
        Assert.Matches($@"test -n ""\$+{missing}"" \|\| {{ echo ""set {missing}", check);
        Assert.Equal(string.Empty, Scalar(services, "secrets-check", "environment", missing));
        foreach (var service in new[] { "nats1", "nats2", "nats3", "redis", "grafana" })
        {
            Assert.Equal("service_completed_successfully", Scalar(services, service, "depends_on", "secrets-check", "condition"));
        }
    }

    [Fact]
    public void No_secret_value_is_written_in_the_compose_file()
    {
        // Every setting that holds a secret takes its value from an environment variable, with no default written here.
        var text = File.ReadAllText(Repo.Path("docker-compose.yml"));
        var settings = SecretSetting().Matches(text);
        Assert.True(settings.Count >= 9, "expected the secret settings of every service");
        foreach (Match setting in settings)
        {
            Assert.Matches(@"^\$\{LIVEIM_[A-Z_]+:-\}$", setting.Groups["value"].Value.Trim().Trim('"'));
        }
    }

    internal static Dictionary<string, string?> AllSecrets() => Secrets.ToDictionary(s => s, s => (string?)("test-value-of-" + s.ToLowerInvariant()));

    private static Task<Tool> ConfigAsync(IReadOnlyDictionary<string, string?> environment) =>
        Tool.RunAsync("docker-compose", "docker-compose", ["-f", Repo.Path("docker-compose.yml"), "config"], Repo.Root, environment);

    private static YamlMappingNode Services(string config)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(config));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    private static string Scalar(YamlMappingNode services, params string[] path)
    {
        YamlNode node = services;
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node)[key];
        }

        return ((YamlScalarNode)node).Value!;
    }

    private static List<string> Sequence(YamlMappingNode services, string service, string key) =>
        ((YamlSequenceNode)((YamlMappingNode)services[service])[key]).Children
            .Select(c => c is YamlScalarNode s ? s.Value! : c.ToString()).ToList();

    private static string After(List<string> command, string flag) => command[command.IndexOf(flag) + 1];

    // docker-compose prints durations as Go does: 60s, 1m30s, 1m0s.
    private static TimeSpan Duration(string text)
    {
        var match = Regex.Match(text, @"^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$");
        Assert.True(match.Success && text.Length > 0, "not a duration: " + text);
        return TimeSpan.FromMinutes(match.Groups[1].Success ? int.Parse(match.Groups[1].Value) : 0) +
               TimeSpan.FromSeconds(match.Groups[2].Success ? double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    [GeneratedRegex(@"^\s+(?:Auth__SigningKey|Admin__Token|Service__Token|Nats__Token|Redis__Password|REDIS_PASSWORD|GF_SECURITY_ADMIN_PASSWORD):(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex SecretSetting();
}
