using Microsoft.IdentityModel.Tokens;

namespace LiveIm.RoomGateway.Auth;

/// <summary>
/// Why a token was refused, in words a client developer can act on (the 401 body
/// <c>unauthorized: token rejected: &lt;reason&gt;</c>). The validator's exception types and IDX messages stay out of
/// the answer: they name library internals, and some echo parts of the token back.
/// </summary>
public static class TokenRejection
{
    /// <summary>The reason for <paramref name="failure"/>, the validation error of the token handler (GatewayAuthentication.TokenCheck).</summary>
    public static string Reason(Exception? failure) => failure switch
    {
        null => "it carries no identity",
        SecurityTokenExpiredException => "it has expired; get a new token",
        SecurityTokenNotYetValidException => "it is not valid yet (its nbf is in the future; check the issuer's clock)",
        SecurityTokenNoExpirationException => "it has no expiry (exp); tokens must expire",
        SecurityTokenInvalidLifetimeException => "its lifetime is invalid (exp before nbf)",
        SecurityTokenInvalidIssuerException => "its issuer (iss) is not liveim",
        SecurityTokenInvalidAudienceException => "its audience (aud) is not liveim",
        SecurityTokenInvalidAlgorithmException => "it must be signed with HS256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "its signature does not verify (unsigned, altered, or signed with another key)",
        SecurityTokenMalformedException or ArgumentException =>
            "it is not a JWT (three base64url parts: header.payload.signature)",
        _ => "it could not be verified",
    };
}
