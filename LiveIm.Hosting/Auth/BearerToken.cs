using LiveIm.Core.Errors;
using LiveIm.Hosting.Http;
using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Auth;

/// <summary>
/// The check shared by the endpoints behind a static bearer token (<c>Admin:Token</c>, <c>Service:Token</c>): exactly
/// one <c>Authorization: Bearer &lt;token&gt;</c> header with the right token, or 401 <c>{error: "unauthorized",
/// message}</c> with <c>WWW-Authenticate: Bearer</c>, before the endpoint looks at its arguments (a caller without the
/// token learns nothing about rooms or the expected body).
/// </summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>Null when the request carries the token <paramref name="matches"/> accepts; else the 401 to answer.</summary>
    /// <param name="context">The request.</param>
    /// <param name="matches">Compares a presented token with the configured one (in constant time).</param>
    /// <param name="what">The token's name in messages, e.g. "admin token".</param>
    public static IResult? Check(HttpContext context, Func<string, bool> matches, string what)
    {
        var headers = context.Request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } header || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Unauthorized(context, $"send Authorization: Bearer <{what}>");
        }

        // The scheme is case-insensitive and may be followed by more than one space (RFC 9110 11.4, 11.6.2).
        return matches(header[Scheme.Length..].TrimStart(' ')) ? null : Unauthorized(context, $"the {what} is wrong");
    }

    private static IResult Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiError.Result(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, message);
    }
}
