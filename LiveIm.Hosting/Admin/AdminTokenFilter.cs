using LiveIm.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Admin;

/// <summary>
/// Lets a request through to an admin endpoint only with <c>Authorization: Bearer &lt;Admin:Token&gt;</c>; anything else
/// gets 401 <c>{error: "unauthorized", message}</c> before the endpoint looks at its arguments, so a caller without the
/// token learns nothing about rooms or the expected body.
/// </summary>
public sealed class AdminTokenFilter : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly AdminSettings _settings;

    /// <summary>Checks requests against <paramref name="settings"/>.</summary>
    public AdminTokenFilter(AdminSettings settings)
    {
        _settings = settings;
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } header || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<object?>(Unauthorized(context.HttpContext, "send Authorization: Bearer <admin token>"));
        }

        // The scheme is case-insensitive and may be followed by more than one space (RFC 9110 11.4, 11.6.2).
        if (!_settings.Matches(header[Scheme.Length..].TrimStart(' ')))
        {
            return ValueTask.FromResult<object?>(Unauthorized(context.HttpContext, "the admin token is wrong"));
        }

        return next(context);
    }

    private static IResult Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { error = ErrorCodes.Unauthorized, message }, statusCode: StatusCodes.Status401Unauthorized);
    }
}
