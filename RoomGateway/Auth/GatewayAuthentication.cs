using System.Security.Claims;
using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.Hosting;
using LiveIm.Hosting.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LiveIm.RoomGateway.Auth;

/// <summary>
/// Who a hub connection is: the token comes as the <c>access_token</c> query parameter (browsers cannot set headers on
/// a WebSocket) or as a bearer header. No token means an anonymous viewer; a token that fails validation (bad
/// signature, expired, wrong issuer, no user, unknown role) is refused with 401 rather than silently downgraded, so a
/// client learns that its token is bad.
/// </summary>
/// <remarks>
/// Validated here rather than by ASP.NET Core's authentication middleware: a WebSocket connection is one request that
/// lasts as long as the connection, and that middleware keeps what it built for the request (a request service scope,
/// the authentication service, a handler per scheme, its own awaiting frame) alive for all of it, about 1 KB per
/// connection even for an anonymous viewer that sent no token. Here an anonymous request costs nothing, and a signed-in
/// one keeps a principal of the four claims the gateway reads, not the parsed token.
/// </remarks>
public static class GatewayAuthentication
{
    /// <summary>The <see cref="ClaimsIdentity.AuthenticationType"/> of a verified connection.</summary>
    public const string AuthenticationType = "liveim";

    private const string BearerPrefix = "Bearer ";

    /// <summary>Registers the validation of LiveIm tokens with the configured signing key.</summary>
    public static void AddGatewayAuthentication(this WebApplicationBuilder builder)
    {
        builder.AddLiveImTokens();
        builder.Services.AddSingleton(sp => new TokenCheck(sp.GetRequiredService<LiveImTokens>().ValidationParameters));
    }

    /// <summary>Verifies the token of a hub request, if it has one, and refuses the request when it does not validate.</summary>
    public static void UseTokenRejection(this WebApplication app)
    {
        var check = app.Services.GetRequiredService<TokenCheck>();

        // Not an async lambda: a WebSocket request stays inside every middleware it passed for the connection's life,
        // and an awaiting middleware keeps its state machine (about 130 bytes) that long. An anonymous request goes
        // straight on, and so does a signed-in one whose token validated synchronously (the usual case: the keys are
        // in the configuration, nothing to fetch).
        app.Use((context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/hubs") || TokenOf(context.Request) is not { } token)
            {
                return next(context);
            }

            var validation = check.ValidateAsync(token);
            return validation.IsCompletedSuccessfully ? Admit(context, next, validation.Result) : AdmitAsync(context, next, validation);
        });
    }

    private static async Task AdmitAsync(HttpContext context, RequestDelegate next, Task<(ClaimsPrincipal? User, string Refusal)> validation) =>
        await Admit(context, next, await validation);

    // The request goes on as the token's user, or ends here with 401 and why.
    private static Task Admit(HttpContext context, RequestDelegate next, (ClaimsPrincipal? User, string Refusal) validation)
    {
        if (validation.User is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync($"{ErrorCodes.Unauthorized}: {validation.Refusal}");
        }

        context.User = validation.User;
        return next(context);
    }

    // The query parameter first (what browsers send), then the header. A present but empty or non-bearer credential is
    // a token that does not validate (""), not an anonymous request.
    private static string? TokenOf(HttpRequest request)
    {
        if (request.Query.TryGetValue("access_token", out var query) && query.Count > 0)
        {
            return query[0] ?? string.Empty;
        }

        if (request.Headers.Authorization.Count == 0)
        {
            return null;
        }

        var header = request.Headers.Authorization[0] ?? string.Empty;
        return header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : string.Empty;
    }

    /// <summary>Validates LiveIm tokens (signature, algorithm, issuer, audience, lifetime, then user and role).</summary>
    internal sealed class TokenCheck
    {
        private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
        private readonly TokenValidationParameters _parameters;

        public TokenCheck(TokenValidationParameters parameters)
        {
            _parameters = parameters;
        }

        /// <summary>The connection's principal, or null and why the token is refused (the 401 body after the code).</summary>
        public async Task<(ClaimsPrincipal? User, string Refusal)> ValidateAsync(string token)
        {
            if (token.Length == 0)
            {
                return (null, "token rejected: no bearer token (send Authorization: Bearer <token> or ?access_token=<token>)");
            }

            var result = await _handler.ValidateTokenAsync(token, _parameters);
            if (!result.IsValid)
            {
                return (null, $"token rejected: {TokenRejection.Reason(result.Exception)}");
            }

            // A validly signed token must still name a user and one of the known roles: a role this gateway does not
            // know ("admin", say) is refused, not taken as an anonymous viewer.
            var verified = new ClaimsPrincipal(result.ClaimsIdentity);
            if (LiveImTokens.ReadIdentity(verified) is not { } id)
            {
                var role = verified.FindFirst(ClaimNames.Role)?.Value;
                return (null, string.IsNullOrEmpty(verified.FindFirst(ClaimNames.Subject)?.Value)
                    ? "the token names no user (claim sub)"
                    : $"the token's role '{role}' is not one of viewer, streamer, moderator");
            }

            // What the connection keeps for its whole life: the claims the gateway reads, not the token.
            var claims = new List<Claim>(4)
            {
                new(ClaimNames.Subject, id.UserId),
                new(ClaimNames.Name, id.Name),
                new(ClaimNames.Role, id.Role),
            };
            if (id.Room is { } room)
            {
                claims.Add(new Claim(ClaimNames.Room, room));
            }

            return (new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType, ClaimNames.Name, ClaimNames.Role)), string.Empty);
        }
    }
}
