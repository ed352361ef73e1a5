using LiveIm.Hosting.Auth;

namespace LiveIm.RoomService.StreamClock;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;Service:Token&gt;</c>; anything else gets 401
/// <c>{error: "unauthorized", message}</c> before the endpoint reads its arguments (<see cref="BearerToken"/>).
/// </summary>
public sealed class ServiceTokenFilter : IEndpointFilter
{
    private readonly ServiceSettings _settings;

    public ServiceTokenFilter(ServiceSettings settings)
    {
        _settings = settings;
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        BearerToken.Check(context.HttpContext, _settings.Matches, "service token") is { } refused
            ? ValueTask.FromResult<object?>(refused)
            : next(context);
}
