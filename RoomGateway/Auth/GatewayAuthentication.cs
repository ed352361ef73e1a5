using LiveIm.Core.Errors;
using LiveIm.Hosting.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace LiveIm.RoomGateway.Auth;

/// <summary>
/// JWT bearer authentication for the hub: the token comes as a bearer header or, for WebSockets (browsers cannot
/// set headers there), as the <c>access_token</c> query parameter. No token means an anonymous viewer; a token that
/// fails validation (bad signature, expired, wrong issuer) is refused with 401 rather than silently downgraded, so a
/// client learns that its token is bad.
/// </summary>
public static class GatewayAuthentication
{
    /// <summary>Registers JWT bearer validation with the LiveIm signing key.</summary>
    public static void AddGatewayAuthentication(this WebApplicationBuilder builder)
    {
        var tokens = new LiveImTokens(AuthSettings.Resolve(builder.Configuration, builder.Environment));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = tokens.ValidationParameters;
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (context.Request.Query.TryGetValue("access_token", out var token) && token.Count > 0
                        && context.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                    {
                        context.Token = token[0];
                    }

                    return Task.CompletedTask;
                },
            };
        });
        builder.Services.AddAuthorization();
    }

    /// <summary>Refuses hub requests that carry a token that does not validate.</summary>
    public static void UseTokenRejection(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/hubs")
                && (context.Request.Query.ContainsKey("access_token") || context.Request.Headers.Authorization.Count > 0))
            {
                var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync($"{ErrorCodes.Unauthorized}: token rejected: {TokenRejection.Reason(result.Failure)}");
                    return;
                }

                context.User = result.Principal;
            }

            await next(context);
        });
    }
}
