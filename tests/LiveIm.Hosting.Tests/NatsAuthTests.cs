using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LiveIm.Hosting.Bus;
using LiveIm.Testing;
using NATS.Client.Core;
using NATS.NKeys;

namespace LiveIm.Hosting.Tests;

/// <summary>
/// Each way of logging in and TLS, from <see cref="BusSettings"/> as configuration gives them, against a real
/// nats-server that demands it: the right credentials connect, wrong ones do not.
/// </summary>
public sealed class NatsAuthTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("liveim-nats-auth");

    public void Dispose() => _dir.Delete(recursive: true);

    private string File(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static async Task<bool> ConnectsAsync(BusSettings settings)
    {
        await using var bus = await TestBus.StartAsync(settings.Url, settings: settings, connect: false);
        try
        {
            await bus.Bus.ConnectAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            var subject = "auth." + Guid.NewGuid().ToString("N");
            var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var sub = await bus.Bus.SubscribeAsync(subject, null, _ => { got.TrySetResult(); return ValueTask.CompletedTask; });
            await bus.Bus.PublishAsync(subject, "x"u8.ToArray());
            await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (NatsException)
        {
            return false;
        }
    }

    [Fact]
    public async Task User_and_password_log_in_and_a_wrong_password_does_not()
    {
        await using var server = await NatsServer.StartNewAsync("--user", "liveim", "--pass", "s3cret");
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, User = "liveim", Password = "s3cret" }));
        Assert.False(await ConnectsAsync(new BusSettings { Url = server.Url, User = "liveim", Password = "wrong" }));
        Assert.False(await ConnectsAsync(new BusSettings { Url = server.Url }));
    }

    [Fact]
    public async Task A_token_logs_in_and_a_wrong_one_does_not()
    {
        await using var server = await NatsServer.StartNewAsync("--auth", "t0ken-value");
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, Token = "t0ken-value" }));
        Assert.False(await ConnectsAsync(new BusSettings { Url = server.Url, Token = "other" }));
    }

    [Fact]
    public async Task An_NKey_seed_logs_in_from_configuration_or_from_a_file_holding_only_the_seed()
    {
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var stranger = KeyPair.CreatePair(PrefixByte.User);
        var conf = File("nkey.conf", $"authorization {{ users = [ {{ nkey: \"{user.GetPublicKey()}\" }} ] }}\n");
        await using var server = await NatsServer.StartNewAsync("-c", conf);
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, NKeySeed = user.GetSeed() }));

        // The library's own NKey file reader also wants the public key on a line of its own; we derive it.
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, NKeyFile = File("user.nk", user.GetSeed() + "\n") }));
        Assert.False(await ConnectsAsync(new BusSettings { Url = server.Url, NKeySeed = stranger.GetSeed() }));
    }

    [Fact]
    public async Task A_creds_file_logs_in_to_a_server_that_trusts_its_operator_and_another_accounts_user_does_not()
    {
        using var op = KeyPair.CreatePair(PrefixByte.Operator);
        using var account = KeyPair.CreatePair(PrefixByte.Account);
        using var user = KeyPair.CreatePair(PrefixByte.User);
        using var otherAccount = KeyPair.CreatePair(PrefixByte.Account);
        var conf = File("operator.conf", $$"""
            operator: {{NatsJwt.Operator(op)}}
            resolver: MEMORY
            resolver_preload: {
              {{account.GetPublicKey()}}: {{NatsJwt.Account(op, account)}}
            }

            """);
        await using var server = await NatsServer.StartNewAsync("-c", conf);
        var creds = File("user.creds", NatsJwt.Creds(NatsJwt.User(account, user), user.GetSeed()));
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, CredsFile = creds }), server.Output);

        // Signed by an account the server does not know.
        var stranger = File("stranger.creds", NatsJwt.Creds(NatsJwt.User(otherAccount, user), user.GetSeed()));
        Assert.False(await ConnectsAsync(new BusSettings { Url = server.Url, CredsFile = stranger }));
    }

    [Fact]
    public async Task Tls_with_our_certificate_authority_connects_and_without_it_the_server_certificate_is_refused()
    {
        var (caFile, certFile, keyFile) = Certificates();
        await using var server = await NatsServer.StartNewAsync("--tls", "--tlscert", certFile, "--tlskey", keyFile);
        var tlsUrl = server.Url.Replace("nats://", "tls://", StringComparison.Ordinal);
        Assert.True(await ConnectsAsync(new BusSettings { Url = tlsUrl, Tls = new BusTlsSettings { CaFile = caFile } }));
        Assert.True(await ConnectsAsync(new BusSettings { Url = server.Url, Tls = new BusTlsSettings { Mode = "Require", CaFile = caFile } }));
        Assert.False(await ConnectsAsync(new BusSettings { Url = tlsUrl })); // the system trust store does not know our CA
    }

    // A certificate authority and a server certificate for 127.0.0.1 it signed, as PEM files.
    private (string Ca, string Cert, string Key) Certificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=LiveIm test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), [1, 2, 3, 4]);
        return (File("ca.pem", ca.ExportCertificatePem()), File("server.pem", cert.ExportCertificatePem()), File("server-key.pem", serverKey.ExportPkcs8PrivateKeyPem()));
    }
}
