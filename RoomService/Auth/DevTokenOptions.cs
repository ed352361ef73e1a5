namespace LiveIm.RoomService.Auth;

/// <summary>
/// Section <c>DevTokens</c>: <c>Enabled</c> maps <c>POST /api/dev/token</c>, which signs a token for anybody who asks.
/// For local runs only: outside the Development environment <c>DevTokens:Enabled=true</c> stops RoomService at start-up.
/// </summary>
public sealed class DevTokenOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DevTokens";

    /// <summary>The refusal outside Development.</summary>
    public const string RefusedOutsideDevelopment =
        "DevTokens:Enabled is true outside the Development environment: POST /api/dev/token would hand anybody a signed "
        + "token for any user and role. Remove the setting (tokens come from your identity service), or run in Development.";

    /// <summary>Serve <c>POST /api/dev/token</c>. Default false.</summary>
    public bool Enabled { get; set; }
}
