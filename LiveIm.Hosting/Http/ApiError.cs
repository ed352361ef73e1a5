using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Http;

/// <summary>The error body of every HTTP endpoint: <c>{"error": "&lt;code&gt;", "message": "..."}</c> (docs/protocol.md).</summary>
public static class ApiError
{
    /// <summary>A JSON error answer with <paramref name="status"/> and a stable <paramref name="code"/>.</summary>
    public static IResult Result(int status, string code, string message) =>
        Results.Json(new { error = code, message }, statusCode: status);
}
