using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Auth;

/// <summary>
/// A static bearer token from configuration (<c>Admin:Token</c>, <c>Service:Token</c>): holds it, and compares a
/// presented token with it in constant time. Each kind of token is a subclass with its own setting, development value
/// and purpose (resolved by <see cref="SecretSetting"/>); <see cref="BearerSecretFilter{TSecret}"/> guards endpoints
/// with it.
/// </summary>
public abstract class BearerSecret
{
    private string _token = string.Empty;
    private byte[] _digest = SHA256.HashData([]);

    /// <summary>The token (bound from configuration; checked by <see cref="SecretSetting"/> at start-up).</summary>
    public string Token
    {
        get => _token;
        set
        {
            _token = value ?? string.Empty; // configuration binds a key given without a value as null
            _digest = SHA256.HashData(Encoding.UTF8.GetBytes(_token));
        }
    }

    /// <summary>The token's name in a 401's message, e.g. "admin token".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True when <paramref name="presented"/> is the token. Both sides are hashed first and the digests compared in
    /// constant time, so neither the content nor the length of the token leaks through the response time.
    /// </summary>
    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;token&gt;</c> of <typeparamref name="TSecret"/>;
/// anything else gets 401 <c>{error: "unauthorized", message}</c> before the endpoint looks at its arguments, so a
/// caller without the token learns nothing about rooms or the expected body (<see cref="BearerToken"/>).
/// </summary>
public sealed class BearerSecretFilter<TSecret> : IEndpointFilter
    where TSecret : BearerSecret
{
    private readonly TSecret _secret;

    /// <summary>Checks requests against <paramref name="secret"/>.</summary>
    public BearerSecretFilter(TSecret secret)
    {
        _secret = secret;
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        BearerToken.Check(context.HttpContext, _secret.Matches, _secret.Name) is { } refused
            ? ValueTask.FromResult<object?>(refused)
            : next(context);
}
