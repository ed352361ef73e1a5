using System.Security.Claims;
using LiveIm.Core.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LiveIm.Hosting.Auth;

/// <summary>Issues and describes the validation of LiveIm JWTs (HS256; claims sub, name, role, room).</summary>
public sealed class LiveImTokens
{
    private readonly SymmetricSecurityKey _key;

    public LiveImTokens(AuthSettings settings)
    {
        _key = new SymmetricSecurityKey(settings.KeyBytes);
    }

    /// <summary>What a gateway checks: signature (HS256 only), issuer, audience, lifetime with 30 s skew.</summary>
    public TokenValidationParameters ValidationParameters => new()
    {
        IssuerSigningKey = _key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidIssuer = ClaimNames.Issuer,
        ValidAudience = ClaimNames.Issuer,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = ClaimNames.Name,
        RoleClaimType = ClaimNames.Role,
    };

    /// <summary>Creates a signed token.</summary>
    public string Issue(string userId, string name, string role, string? room, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [ClaimNames.Subject] = userId,
            [ClaimNames.Name] = name,
            [ClaimNames.Role] = role,
        };
        if (room is not null)
        {
            claims[ClaimNames.Room] = room;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = ClaimNames.Issuer,
            Audience = ClaimNames.Issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Reads a LiveIm identity from validated claims; null when a required claim is missing.</summary>
    public static (string UserId, string Name, string Role, string? Room)? ReadIdentity(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var sub = user.FindFirst(ClaimNames.Subject)?.Value;
        var role = user.FindFirst(ClaimNames.Role)?.Value;
        if (string.IsNullOrEmpty(sub) || !Roles.IsKnown(role))
        {
            return null;
        }

        var name = user.FindFirst(ClaimNames.Name)?.Value ?? sub;
        return (sub, name, role!, user.FindFirst(ClaimNames.Room)?.Value);
    }
}
