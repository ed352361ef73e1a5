using System.Text;

namespace LiveIm.Hosting.Auth;

/// <summary>
/// Configuration section <c>Auth</c>: the HS256 signing key shared by RoomService (which issues dev tokens) and the
/// gateways (which verify every token). Outside Development a missing, short or development key stops the process
/// (<see cref="SecretSetting"/>, <see cref="Rule"/>).
/// </summary>
public sealed class AuthSettings
{
    /// <summary>The key local runs use when none is configured. Never valid outside Development.</summary>
    public const string DevelopmentSigningKey = "liveim-DEVELOPMENT-ONLY-signing-key-not-a-secret-0001";

    /// <summary>The setting that holds the key (environment: <c>Auth__SigningKey</c>).</summary>
    public const string SigningKeySetting = "Auth:SigningKey";

    /// <summary>Shortest accepted key: HS256 wants at least 256 bits.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The rule <c>Auth:SigningKey</c> is checked by.</summary>
    public static readonly SecretRule Rule = new(SigningKeySetting, DevelopmentSigningKey, MinKeyBytes, "key", "the token signing key");

    /// <summary>The signing key.</summary>
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>True when the development key is in use (logged loudly at start-up).</summary>
    public bool IsDevelopmentKey => SigningKey == DevelopmentSigningKey;

    /// <summary>The key bytes.</summary>
    public byte[] KeyBytes => Encoding.UTF8.GetBytes(SigningKey);
}
