using LiveIm.Hosting.Bus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using NATS.NKeys;

namespace LiveIm.Hosting.Tests;

/// <summary>
/// <c>Nats:*</c> checked before anything connects: each bad value is refused with a message naming its setting, and
/// no message repeats a secret.
/// </summary>
public sealed class BusSettingsValidatorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("liveim-bus-settings");

    public void Dispose() => _dir.Delete(recursive: true);

    private static IReadOnlyList<string> Errors(BusSettings settings, string environment = "Production")
    {
        var result = new BusSettingsValidator(new HostingEnvironment { EnvironmentName = environment }).Validate(null, settings);
        return result.Failed ? result.Failures.ToList() : [];
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static string UserSeed()
    {
        using var pair = KeyPair.CreatePair(PrefixByte.User);
        return pair.GetSeed();
    }

    [Theory]
    [InlineData("nats://127.0.0.1:4222")]
    [InlineData("nats://10.0.0.1:4222, nats://10.0.0.2:4222,nats://10.0.0.3")]
    [InlineData("127.0.0.1:4222")]
    [InlineData("tls://nats.example.com:4443")]
    [InlineData("nats://user:pa%40ss@127.0.0.1:4222")]
    [InlineData("ws://127.0.0.1:8080,wss://nats.example.com")]
    public void Server_lists_are_accepted(string url)
    {
        Assert.Empty(Errors(new BusSettings { Url = url }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("nats://127.0.0.1:4222,,nats://127.0.0.1:4223")]
    [InlineData("nats://127.0.0.1:4222,")]
    [InlineData("http://127.0.0.1:4222")]
    [InlineData("nats://")]
    [InlineData("nats://127.0.0.1:99999")]
    [InlineData("nats://127.0.0.1:0")]
    [InlineData("nats://127.0.0.1:4222/path")]
    [InlineData("nats://127.0.0.1:4222?x=1")]
    [InlineData("nats://has space:4222")]
    [InlineData("nats://127.0.0.1:4222;nats://127.0.0.1:4223")]
    [InlineData("\u0000")]
    public void A_malformed_server_list_is_refused_naming_Nats_Url(string url)
    {
        var error = Assert.Single(Errors(new BusSettings { Url = url }));
        Assert.StartsWith("Nats:Url", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_url_does_not_repeat_its_password()
    {
        var error = Assert.Single(Errors(new BusSettings { Url = "nats://user:s3cret-value@127.0.0.1:4222/x" }));
        Assert.DoesNotContain("s3cret-value", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("00:05:00")]
    public void A_request_timeout_out_of_range_is_refused(string timeout)
    {
        Assert.Contains(Errors(new BusSettings { RequestTimeout = TimeSpan.Parse(timeout) }), e => e.StartsWith("Nats:RequestTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void User_without_password_and_two_ways_of_logging_in_are_refused()
    {
        Assert.Contains(Errors(new BusSettings { User = "u" }), e => e.Contains("Nats:User and Nats:Password go together", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { User = "u", Password = "p", Token = "t" }), e => e.Contains("Set one way of logging in", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-a-seed")]
    [InlineData("SUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void An_NKey_seed_that_is_not_a_user_seed_is_refused_without_repeating_it(string seed)
    {
        var error = Assert.Single(Errors(new BusSettings { NKeySeed = seed }));
        Assert.StartsWith("Nats:NKeySeed", error, StringComparison.Ordinal);
        Assert.DoesNotContain(seed, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_seed_or_a_public_key_is_not_a_user_seed()
    {
        using var account = KeyPair.CreatePair(PrefixByte.Account);
        Assert.Single(Errors(new BusSettings { NKeySeed = account.GetSeed() }));
        using var user = KeyPair.CreatePair(PrefixByte.User);
        Assert.Single(Errors(new BusSettings { NKeySeed = user.GetPublicKey() }));
        Assert.Empty(Errors(new BusSettings { NKeySeed = user.GetSeed() }));
    }

    [Fact]
    public void An_NKey_file_with_a_seed_is_accepted_and_a_missing_empty_or_wrong_one_is_refused()
    {
        Assert.Empty(Errors(new BusSettings { NKeyFile = File("user.nk", UserSeed() + "\n") }));
        foreach (var (path, why) in new[]
        {
            (Path.Combine(_dir.FullName, "missing.nk"), "does not exist"),
            (File("empty.nk", ""), "holds no NKey user seed"),
            (File("pub.nk", "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\n"), "holds no NKey user seed"),
            (_dir.FullName, "is a directory"),
        })
        {
            var error = Assert.Single(Errors(new BusSettings { NKeyFile = path }));
            Assert.StartsWith("Nats:NKeyFile", error, StringComparison.Ordinal);
            Assert.Contains(why, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_creds_file_needs_a_user_jwt_and_a_user_seed()
    {
        var seed = UserSeed();
        const string jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVIn0.c2lnbmF0dXJl";
        string Creds(string j, string s) =>
            $"-----BEGIN NATS USER JWT-----\n{j}\n------END NATS USER JWT------\n\n*** NOTICE ***\n\n-----BEGIN USER NKEY SEED-----\n{s}\n------END USER NKEY SEED------\n";
        Assert.Empty(Errors(new BusSettings { CredsFile = File("ok.creds", Creds(jwt, seed)) }));
        foreach (var (content, why) in new[]
        {
            (Creds("not-a-jwt", seed), "no user JWT"),
            (Creds(jwt, "SUnot-a-seed"), "no user NKey seed"),
            ("-----BEGIN NATS USER JWT-----\n" + jwt + "\n", "no user NKey seed"),
            ("just text", "no user JWT"),
            ("", "no user JWT"),
        })
        {
            var error = Assert.Single(Errors(new BusSettings { CredsFile = File(Guid.NewGuid() + ".creds", content) }));
            Assert.StartsWith("Nats:CredsFile", error, StringComparison.Ordinal);
            Assert.Contains(why, error, StringComparison.Ordinal);
            Assert.DoesNotContain(seed, error, StringComparison.Ordinal);
        }

        Assert.Contains("does not exist", Assert.Single(Errors(new BusSettings { CredsFile = "/nonexistent/user.creds" })), StringComparison.Ordinal);
        Assert.Contains("too big", Assert.Single(Errors(new BusSettings { CredsFile = File("big.creds", new string('x', 100_000)) })), StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_settings_that_cannot_work_are_refused()
    {
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { Mode = "Sometimes" } }), e => e.StartsWith("Nats:Tls:Mode", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { Mode = "3" } }), e => e.StartsWith("Nats:Tls:Mode", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Url = "tls://127.0.0.1:4222", Tls = new BusTlsSettings { Mode = "Disable" } }), e => e.StartsWith("Nats:Tls:Mode", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { CaFile = "/nonexistent/ca.pem" } }), e => e.StartsWith("Nats:Tls:CaFile", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { CaFile = File("ca.pem", "not pem") } }), e => e.StartsWith("Nats:Tls:CaFile", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { CertFile = File("c.pem", "x") } }), e => e.Contains("Nats:Tls:CertFile and Nats:Tls:KeyFile go together", StringComparison.Ordinal));
        Assert.Contains(Errors(new BusSettings { Tls = new BusTlsSettings { CertFile = File("c2.pem", "x"), KeyFile = File("k2.pem", "y") } }), e => e.StartsWith("Nats:Tls:CertFile", StringComparison.Ordinal));
        foreach (var mode in new[] { "auto", "Require", "implicit", "Prefer", "disable" })
        {
            Assert.Empty(Errors(new BusSettings { Tls = new BusTlsSettings { Mode = mode } }));
        }
    }

    [Fact]
    public void Skipping_certificate_verification_runs_in_Development_only()
    {
        var settings = new BusSettings { Tls = new BusTlsSettings { InsecureSkipVerify = true } };
        Assert.Contains(Errors(settings, "Production"), e => e.StartsWith("Nats:Tls:InsecureSkipVerify", StringComparison.Ordinal));
        Assert.Empty(Errors(settings, Environments.Development));
    }
}
