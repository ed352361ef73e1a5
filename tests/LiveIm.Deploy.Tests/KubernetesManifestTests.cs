using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Drain;
using YamlDotNet.RepresentationModel;

namespace LiveIm.Deploy.Tests;

/// <summary>
/// The Kubernetes manifests, checked offline: each document read strictly into the API types of the official
/// Kubernetes client (a misspelt or misplaced field, or a wrong type, fails), then the invariants a drain, probes,
/// autoscaling and secrets depend on.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string Folder = Repo.Path("deploy", "kubernetes");

    private static readonly string[] SecretSettings = ["Auth__SigningKey", "Admin__Token", "Service__Token", "Nats__Token", "Redis__Password"];

    [Fact]
    public void Every_manifest_reads_strictly_into_the_kubernetes_api_types()
    {
        var objects = Load();
        Assert.Equal(
            ["ConfigMap", "Deployment", "Deployment", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PodDisruptionBudget", "Service", "Service"],
            objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_misspelt_field_is_refused()
    {
        var yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n  selectr: {matchLabels: {a: b}}\n";
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(yaml, strict: true));
    }

    [Fact]
    public void The_gateways_grace_period_covers_prestop_and_the_drain()
    {
        var gateway = Deployment("roomgateway");
        var pod = gateway.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var preStop = string.Join(' ', container.Lifecycle.PreStop.Exec.Command);
        Assert.Contains("POST /admin/drain", preStop, StringComparison.Ordinal);
        var sleep = int.Parse(Sleep().Match(preStop).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var needed = DrainOnShutdown.Longest(new DrainOptions(), new FanoutOptions()) + TimeSpan.FromSeconds(sleep);
        Assert.True(TimeSpan.FromSeconds(pod.TerminationGracePeriodSeconds!.Value) >= needed,
            $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} < preStop {sleep} s + drain {DrainOnShutdown.Longest(new DrainOptions(), new FanoutOptions())}");
        Assert.Equal("0", gateway.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
    }

    [Theory]
    [InlineData("roomservice")]
    [InlineData("roomgateway")]
    public void Each_service_runs_as_non_root_with_liveness_on_healthz_and_readiness_on_readyz(string name)
    {
        var pod = Deployment(name).Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal("liveim/" + name, container.Image);
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(1654, pod.SecurityContext.RunAsUser);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(8080, container.Ports.Single().ContainerPort);
        Assert.Equal("true", Deployment(name).Spec.Template.Metadata.Annotations["prometheus.io/scrape"]);
    }

    [Theory]
    [InlineData("roomservice")]
    [InlineData("roomgateway")]
    public void Secrets_come_only_from_the_secret_and_every_one_is_required(string name)
    {
        var container = Deployment(name).Spec.Template.Spec.Containers.Single();
        var secrets = container.Env.Where(e => SecretSettings.Contains(e.Name)).ToList();
        Assert.Equal(name == "roomservice" ? 5 : 4, secrets.Count);
        Assert.All(secrets, e =>
        {
            Assert.Null(e.Value);
            Assert.Equal("liveim-secrets", e.ValueFrom.SecretKeyRef.Name);
            Assert.Equal(e.Name, e.ValueFrom.SecretKeyRef.Key);
            Assert.NotEqual(true, e.ValueFrom.SecretKeyRef.Optional);
        });
        var config = Load().OfType<V1ConfigMap>().Single();
        Assert.DoesNotContain(config.Data.Keys, k => SecretSettings.Contains(k));
        Assert.DoesNotContain(Load(), o => o is V1Secret);
    }

    [Theory]
    [InlineData("roomservice")]
    [InlineData("roomgateway")]
    public void Each_deployment_has_a_service_a_disruption_budget_and_an_autoscaler_that_point_at_it(string name)
    {
        var labels = Deployment(name).Spec.Template.Metadata.Labels;
        var objects = Load();
        var service = objects.OfType<V1Service>().Single(s => s.Metadata.Name == name);
        Assert.All(service.Spec.Selector, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        var budget = objects.OfType<V1PodDisruptionBudget>().Single(p => p.Metadata.Name == name);
        Assert.All(budget.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        foreach (var hpa in objects.OfType<V2HorizontalPodAutoscaler>().Where(h => h.Metadata.Name == name))
        {
            Assert.Equal(name, hpa.Spec.ScaleTargetRef.Name);
            Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
            Assert.True(hpa.Spec.MinReplicas >= 2);
            if (name == "roomgateway")
            {
                // Scaling in drains a gateway: slowly, one at a time.
                Assert.True(hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds >= 300);
                Assert.All(hpa.Spec.Behavior.ScaleDown.Policies, p => Assert.True(p.Type == "Pods" && p.Value == 1));
            }
        }
    }

    [Fact]
    public void The_connections_autoscaler_scales_gateways_on_liveim_gateway_connections()
    {
        var hpa = Load().OfType<V2HorizontalPodAutoscaler>().Single(h => h.Spec.Metrics.Any(m => m.Type == "Pods"));
        var pods = hpa.Spec.Metrics.Single(m => m.Type == "Pods").Pods;
        Assert.Equal("liveim_gateway_connections", pods.Metric.Name);
        Assert.Equal("roomgateway", hpa.Spec.ScaleTargetRef.Name);
    }

    private static V1Deployment Deployment(string name) => Load().OfType<V1Deployment>().Single(d => d.Metadata.Name == name);

    // The resources kustomization.yaml lists, and the optional manifests.
    private static List<IKubernetesObject> Load()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Folder, "kustomization.yaml"))));
        var resources = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["resources"]).Children.Select(c => c.ToString());
        var files = resources.Select(r => Path.Combine(Folder, r)).Concat(Directory.GetFiles(Path.Combine(Folder, "optional"), "*.yaml"));
        return files.SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true)).Cast<IKubernetesObject>().ToList();
    }

    [GeneratedRegex(@"sleep (\d+)")]
    private static partial Regex Sleep();
}
