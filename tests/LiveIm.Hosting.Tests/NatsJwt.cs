using System.Text;
using System.Text.Json.Nodes;
using NATS.NKeys;

namespace LiveIm.Hosting.Tests;

/// <summary>
/// Just enough of NATS's decentralized auth (JWT v2, as <c>nsc</c> writes it) for a test: an operator, an account it
/// signs and a user the account signs, each a JWT signed with the issuer's NKey (ed25519).
/// </summary>
public static class NatsJwt
{
    /// <summary>A JWT with <paramref name="nats"/> as its <c>nats</c> claim, for <paramref name="subject"/>, signed by <paramref name="issuer"/>.</summary>
    public static string Issue(KeyPair issuer, string subject, string name, JsonObject nats)
    {
        var header = Base64Url("""{"typ":"JWT","alg":"ed25519-nkey"}"""u8.ToArray());
        var claims = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["iss"] = issuer.GetPublicKey(),
            ["name"] = name,
            ["sub"] = subject,
            ["nats"] = nats,
        };
        var body = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signed = Encoding.ASCII.GetBytes(header + "." + body);
        var signature = new byte[64];
        issuer.Sign(signed, signature);
        return header + "." + body + "." + Base64Url(signature);
    }

    /// <summary>The operator's JWT (self-signed).</summary>
    public static string Operator(KeyPair op) => Issue(op, op.GetPublicKey(), "test-operator", new JsonObject { ["type"] = "operator", ["version"] = 2 });

    /// <summary>An account without limits, signed by the operator.</summary>
    public static string Account(KeyPair op, KeyPair account) => Issue(op, account.GetPublicKey(), "test-account", new JsonObject
    {
        ["limits"] = new JsonObject
        {
            ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["imports"] = -1, ["exports"] = -1, ["wildcards"] = true, ["conn"] = -1, ["leaf"] = -1,
        },
        ["type"] = "account",
        ["version"] = 2,
    });

    /// <summary>A user without limits, signed by the account.</summary>
    public static string User(KeyPair account, KeyPair user) => Issue(account, user.GetPublicKey(), "test-user", new JsonObject
    {
        ["pub"] = new JsonObject(), ["sub"] = new JsonObject(), ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["type"] = "user", ["version"] = 2,
    });

    /// <summary>A <c>.creds</c> file's text, as <c>nsc generate creds</c> writes it.</summary>
    public static string Creds(string userJwt, string userSeed) => $"""
        -----BEGIN NATS USER JWT-----
        {userJwt}
        ------END NATS USER JWT------

        ************************* IMPORTANT *************************
        NKEY Seed printed below can be used to sign and prove identity.
        NKEYs are sensitive and should be treated as secrets.

        -----BEGIN USER NKEY SEED-----
        {userSeed}
        ------END USER NKEY SEED------

        *************************************************************

        """;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
