using System.Security.Cryptography;
using System.Text;
using LiveIm.Hosting.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LiveIm.Hosting.Admin;

/// <summary>
/// Configuration <c>Admin:Token</c>: the bearer token of the admin endpoints of RoomService (chat budgets) and of
/// every gateway (<c>POST /admin/drain</c>). Outside Development a missing, short or development token stops the
/// process (the same rule as <c>Auth:SigningKey</c>).
/// </summary>
public sealed class AdminSettings
{
    /// <summary>The token local runs use when none is configured. Never valid outside Development.</summary>
    public const string DevelopmentToken = "liveim-DEVELOPMENT-ONLY-admin-token";

    /// <summary>The setting that holds the token (environment: <c>Admin__Token</c>).</summary>
    public const string TokenSetting = "Admin:Token";

    /// <summary>Shortest accepted token, in characters: short enough to type, long enough not to guess online.</summary>
    public const int MinTokenLength = 16;

    private readonly string _token = string.Empty;
    private readonly byte[] _digest = [];

    /// <summary>The admin token.</summary>
    public required string Token
    {
        get => _token;
        init
        {
            _token = value;
            _digest = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>True when the development token is in use.</summary>
    public bool IsDevelopmentToken => Token == DevelopmentToken;

    /// <summary>Reads the token; in Development falls back to <see cref="DevelopmentToken"/>, elsewhere refuses.</summary>
    /// <param name="configuration">Where settings come from.</param>
    /// <param name="environment">Development allows the development token.</param>
    /// <param name="purpose">What the token guards in this process (in the message when it is missing).</param>
    public static AdminSettings Resolve(IConfiguration configuration, IHostEnvironment environment, string purpose) => new()
    {
        Token = SecretSetting.Resolve(configuration, environment, TokenSetting, DevelopmentToken, MinTokenLength, "token", purpose),
    };

    /// <summary>
    /// True when <paramref name="presented"/> is the token. Both sides are hashed first and the digests compared in
    /// constant time, so neither the content nor the length of the token leaks through the response time.
    /// </summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
