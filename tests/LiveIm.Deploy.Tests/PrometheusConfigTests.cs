namespace LiveIm.Deploy.Tests;

/// <summary>The shipped Prometheus files, checked by Debian's promtool: config, rules, and the rules' unit tests.</summary>
public sealed class PrometheusConfigTests
{
    [Fact]
    public async Task Promtool_accepts_the_shipped_scrape_config_and_its_rule_files()
    {
        var check = await Promtool("check", "config", Repo.Path("deploy", "prometheus", "prometheus.yml"));
        Assert.True(check.ExitCode == 0, check.All);
        Assert.Contains("SUCCESS: 1 rule files found", check.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var check = await Promtool("check", "rules", Repo.Path("deploy", "prometheus", "rules", "liveim-alerts.yml"));
        Assert.True(check.ExitCode == 0, check.All);
        Assert.Matches(@"SUCCESS: (1[3-9]|[2-9]\d) rules found", check.All);
    }

    [Fact]
    public async Task Every_alert_fires_on_its_fixture_series_and_only_there()
    {
        var test = await Promtool("test", "rules", Repo.Path("deploy", "prometheus", "tests", "liveim-alerts.test.yml"));
        Assert.True(test.ExitCode == 0, test.All);
        Assert.Contains("SUCCESS", test.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_rule_has_a_unit_test()
    {
        var rules = File.ReadAllLines(Repo.Path("deploy", "prometheus", "rules", "liveim-alerts.yml"))
            .Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l[9..]).ToList();
        var tests = await File.ReadAllTextAsync(Repo.Path("deploy", "prometheus", "tests", "liveim-alerts.test.yml"));
        Assert.NotEmpty(rules);
        Assert.All(rules, rule => Assert.Contains("alertname: " + rule + "\n", tests, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_local_rewrite_of_the_config_targets_the_given_processes_and_stays_valid()
    {
        var rewrite = await LocalConfig("--gateways", "127.0.0.1:5101,127.0.0.1:5102", "--roomservices", "127.0.0.1:5100", "--prometheus", "127.0.0.1:9999");
        Assert.True(rewrite.ExitCode == 0, rewrite.All);
        Assert.Contains("- targets: [\"127.0.0.1:5101\", \"127.0.0.1:5102\"]", rewrite.Output, StringComparison.Ordinal);
        Assert.Contains("- targets: [\"127.0.0.1:5100\"]", rewrite.Output, StringComparison.Ordinal);
        Assert.Contains("- targets: [\"127.0.0.1:9999\"]", rewrite.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("gateway1:8080", rewrite.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("nats-exporter1:7777", rewrite.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("redis-exporter:9121", rewrite.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("alertmanager", rewrite.Output, StringComparison.Ordinal);

        var file = Path.Combine(Path.GetTempPath(), "liveim-prometheus-" + Guid.NewGuid().ToString("N") + ".yml");
        try
        {
            await File.WriteAllTextAsync(file, rewrite.Output);
            var check = await Promtool("check", "config", file);
            Assert.True(check.ExitCode == 0, check.All);
            Assert.Contains("SUCCESS: 1 rule files found", check.All, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--gateways", "127.0.0.1:1 127.0.0.1:2")]
    [InlineData("--gateways", "a\"], evil: [\"b")]
    [InlineData("--gateways", "x\ny: z")]
    [InlineData("--gateways", "")]
    [InlineData("--roomservices", "$(id)")]
    [InlineData("--bogus", "1")]
    public async Task The_local_rewrite_refuses_a_target_list_it_would_have_to_quote(string option, string value)
    {
        string[] args = option switch
        {
            "--gateways" => ["--gateways", value, "--roomservices", "127.0.0.1:1"],
            "--roomservices" => ["--gateways", "127.0.0.1:1", "--roomservices", value],
            _ => ["--gateways", "127.0.0.1:1", "--roomservices", "127.0.0.1:1", option, value],
        };
        var rewrite = await LocalConfig(args);
        Assert.Equal(2, rewrite.ExitCode);
        Assert.Empty(rewrite.Output);
        Assert.StartsWith("local-config.sh: ", rewrite.Error, StringComparison.Ordinal);
    }

    internal static Task<Tool> Promtool(params string[] args) => Tool.RunAsync("promtool", "prometheus", args);

    internal static Task<Tool> LocalConfig(params string[] args) =>
        Tool.RunAsync("bash", "bash", [Repo.Path("deploy", "prometheus", "local-config.sh"), .. args]);
}
