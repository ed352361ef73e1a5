using LiveIm.Hosting.Auth;
using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Admin;

/// <summary>
/// Lets a request through to an admin endpoint only with <c>Authorization: Bearer &lt;Admin:Token&gt;</c>; anything else
/// gets 401 <c>{error: "unauthorized", message}</c> before the endpoint looks at its arguments, so a caller without the
/// token learns nothing about rooms or the expected body (<see cref="BearerToken"/>).
/// </summary>
public sealed class AdminTokenFilter : IEndpointFilter
{
    private readonly AdminSettings _settings;

    /// <summary>Checks requests against <paramref name="settings"/>.</summary>
    public AdminTokenFilter(AdminSettings settings)
    {
        _settings = settings;
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        BearerToken.Check(context.HttpContext, _settings.Matches, "admin token") is { } refused
            ? ValueTask.FromResult<object?>(refused)
            : next(context);
}
