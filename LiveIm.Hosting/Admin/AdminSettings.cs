using LiveIm.Hosting.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace LiveIm.Hosting.Admin;

/// <summary>
/// Configuration <c>Admin:Token</c>: the bearer token of the admin endpoints of RoomService (chat budgets) and of
/// every gateway (<c>POST /admin/drain</c>). Outside Development a missing, short or development token stops the
/// process (the same rule as <c>Auth:SigningKey</c>).
/// </summary>
public sealed class AdminSettings : BearerSecret
{
    /// <summary>The token local runs use when none is configured. Never valid outside Development.</summary>
    public const string DevelopmentToken = "liveim-DEVELOPMENT-ONLY-admin-token";

    /// <summary>The setting that holds the token (environment: <c>Admin__Token</c>).</summary>
    public const string TokenSetting = "Admin:Token";

    /// <summary>Shortest accepted token, in characters: short enough to type, long enough not to guess online.</summary>
    public const int MinTokenLength = 16;

    /// <inheritdoc />
    public override string Name => "admin token";

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
}
