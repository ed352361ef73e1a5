using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Cors;

/// <summary>
/// Cross-origin access for web pages that use RoomService from another site (an app's own player page with
/// <c>@liveim/client</c>): off unless <c>Cors:AllowedOrigins</c> names origins. It covers exactly what such a page
/// calls: <c>GET /api/gateways/assign</c>, <c>GET /api/rooms/{roomId}</c> and <c>GET /api/rooms/{roomId}/replay</c>, and
/// <c>POST /api/dev/token</c> when dev tokens are on. Never the admin or service endpoints (bearer secrets are not
/// for browsers), and never credentials. Gateways need no CORS: the SDK opens the WebSocket directly (no negotiate
/// request), and browsers do not apply CORS to WebSockets.
/// </summary>
public static class PageCors
{
    /// <summary>The policy's name.</summary>
    public const string Policy = "liveim-pages";

    /// <summary>Registers the policy when origins are configured; a malformed origin stops start-up naming the setting.</summary>
    public static void AddPageCors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PageCorsOptions>()
            .Bind(builder.Configuration.GetSection(PageCorsOptions.Section))
            .Validate(o => o.Problem() is null, "Cors:AllowedOrigins must list origins (scheme://host[:port], no path) or *")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(PageCorsOptions.Section).Get<PageCorsOptions>() ?? new PageCorsOptions();
        if (!options.Enabled || options.Problem() is not null)
        {
            return;
        }

        builder.Services.AddCors(cors => cors.AddPolicy(Policy, policy =>
        {
            if (options.AllowedOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(options.AllowedOrigins);
            }

            // Content-Type for the dev token's JSON body; Retry-After so that a page can read when to ask again after a 503/429.
            policy.WithMethods("GET", "POST").WithHeaders("Content-Type", "Accept").WithExposedHeaders("Retry-After")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
    }

    /// <summary>Applies the policy to the public endpoints (before rate limiting, so a refused page still learns why).</summary>
    public static void UsePageCors(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<PageCorsOptions>>().Value.Enabled)
        {
            return;
        }

        var devTokens = app.Configuration.GetValue("DevTokens:Enabled", false);
        app.UseWhen(context => IsPublic(context.Request.Path, devTokens), branch => branch.UseCors(Policy));
    }

    /// <summary>The paths a page on another origin may call.</summary>
    internal static bool IsPublic(PathString path, bool devTokens)
    {
        if (path.Equals("/api/gateways/assign", StringComparison.Ordinal) || (devTokens && path.Equals("/api/dev/token", StringComparison.Ordinal)))
        {
            return true;
        }

        // /api/rooms/{roomId} and /api/rooms/{roomId}/replay; not /stream-clock (service token) or /chat-budget (admin).
        if (!path.StartsWithSegments("/api/rooms", StringComparison.Ordinal, out var rest) || !rest.HasValue)
        {
            return false;
        }

        var segments = rest.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 1 || (segments.Length == 2 && segments[1] == "replay");
    }
}
