using System.Text.Json;

namespace LiveIm.Deploy.Tests;

/// <summary>The provisioned Grafana dashboard (deploy/grafana/dashboards/liveim.json) and the alert rules' expressions.</summary>
internal static class Dashboard
{
    /// <summary>The dashboard file.</summary>
    public static string File => Repo.Path("deploy", "grafana", "dashboards", "liveim.json");

    /// <summary>Every panel query: (panel title, PromQL).</summary>
    public static IReadOnlyList<(string Panel, string Expr)> Queries()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File));
        var queries = new List<(string, string)>();
        foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    queries.Add((panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!));
                }
            }
        }

        return queries;
    }

    /// <summary>Every alert rule's expression: (alert, PromQL), read with a YAML parser.</summary>
    public static IReadOnlyList<(string Alert, string Expr)> AlertExpressions()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(System.IO.File.ReadAllText(Repo.Path("deploy", "prometheus", "rules", "liveim-alerts.yml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var rules = new List<(string, string)>();
        foreach (YamlDotNet.RepresentationModel.YamlMappingNode group in (YamlDotNet.RepresentationModel.YamlSequenceNode)root["groups"])
        {
            foreach (YamlDotNet.RepresentationModel.YamlMappingNode rule in (YamlDotNet.RepresentationModel.YamlSequenceNode)group["rules"])
            {
                rules.Add((rule["alert"].ToString(), rule["expr"].ToString()));
            }
        }

        return rules;
    }
}
