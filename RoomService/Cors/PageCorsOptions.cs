namespace LiveIm.RoomService.Cors;

/// <summary>
/// <c>Cors:AllowedOrigins</c>: the origins of web pages (on other sites) that may call RoomService's public endpoints
/// from the browser. Empty, the default: no cross-origin access at all (docs/operations.md, "Web pages on other
/// origins").
/// </summary>
public sealed class PageCorsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Cors";

    /// <summary>
    /// Origins such as <c>https://www.example.com</c> (scheme, host, optional port; no path), or <c>*</c> for any site.
    /// The endpoints it opens are public anyway (no credentials are accepted from a page), so <c>*</c> exposes nothing
    /// a server-side caller could not read; a list keeps other sites from building on your RoomService.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>True when cross-origin access is on.</summary>
    public bool Enabled => AllowedOrigins.Length > 0;

    /// <summary>Null when every entry is <c>*</c> or an http(s) origin without a path; else the rule it breaks.</summary>
    public string? Problem()
    {
        foreach (var origin in AllowedOrigins)
        {
            if (origin == "*")
            {
                continue;
            }

            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.PathAndQuery != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            {
                return $"Cors:AllowedOrigins: '{origin}' is not an origin; use scheme://host[:port] (no path, no trailing slash) or *";
            }
        }

        return null;
    }
}
