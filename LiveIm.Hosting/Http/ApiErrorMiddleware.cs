using LiveIm.Core.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LiveIm.Hosting.Http;

/// <summary>
/// The safety net under every HTTP endpoint: whatever goes wrong, a client gets the JSON
/// <c>{"error": "&lt;code&gt;", "message": "..."}</c> body of <see cref="ApiError"/> with a documented code, never an
/// empty body, ASP.NET Core's developer exception page, a stack trace or an exception type.
/// </summary>
/// <remarks>
/// Why one middleware and not <c>UseExceptionHandler</c> + <c>UseStatusCodePages</c>: both would do, but the exception
/// handler logs every <see cref="BadHttpRequestException"/> (a client's malformed body) at Error with a stack trace, and
/// the two would have to agree on the body. Here a bad request is the client's error (400/413/415 with a coded body,
/// logged at Debug), an unexpected exception is ours (500 <c>unavailable</c>, logged at Error), and an error status an
/// endpoint or the router set without a body (404, 405, 415 from minimal-API binding outside Development) gets one.
/// Endpoints answer their own errors with <see cref="ApiError.Result"/>; this is for what they never see.
/// </remarks>
public sealed partial class ApiErrorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ApiErrorMiddleware> _logger;

    public ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            LogBadRequest(ex.StatusCode, context.Request.Method, context.Request.Path, ex.Message);
            await WriteAsync(context, ex.StatusCode);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client left: nobody to answer
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnexpected(ex, context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError);
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null, ContentType: null })
        {
            await WriteAsync(context, context.Response.StatusCode);
        }
    }

    /// <summary>The code and message of an error <paramref name="status"/> that came without a body.</summary>
    public static (string Code, string Message) Describe(int status, HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var shown = path.Length > 100 ? path[..100] + "…" : path;
        return status switch
        {
            StatusCodes.Status404NotFound => (ErrorCodes.NotFound, $"there is no endpoint at {shown} (docs/protocol.md lists them)"),
            StatusCodes.Status405MethodNotAllowed => (ErrorCodes.NotFound,
                $"{shown} does not take {context.Request.Method}" + (context.Response.Headers.Allow.Count > 0 ? $"; it takes {context.Response.Headers.Allow}" : string.Empty)),
            StatusCodes.Status401Unauthorized => (ErrorCodes.Unauthorized, "this endpoint needs Authorization: Bearer <token>"),
            StatusCodes.Status403Forbidden => (ErrorCodes.Forbidden, "this identity may not use this endpoint"),
            StatusCodes.Status413PayloadTooLarge => (ErrorCodes.InvalidArgument, "the body is too large"),
            StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.InvalidArgument, "the body must be JSON (Content-Type: application/json)"),
            StatusCodes.Status408RequestTimeout => (ErrorCodes.InvalidArgument, "the request body did not arrive in time"),
            StatusCodes.Status411LengthRequired => (ErrorCodes.InvalidArgument, "the request needs a Content-Length"),
            StatusCodes.Status429TooManyRequests => (ErrorCodes.RateLimited, "too many requests; retry later retryAfterMs=1000"),
            >= 500 => (ErrorCodes.Unavailable, "the service could not answer; retry later"),
            _ => (ErrorCodes.InvalidArgument, "the request could not be read: check its body (JSON) and its Content-Type"),
        };
    }

    private static async Task WriteAsync(HttpContext context, int status)
    {
        var (code, message) = Describe(status, context);
        var allow = context.Response.Headers.Allow;
        context.Response.Clear();
        if (allow.Count > 0)
        {
            context.Response.Headers.Allow = allow;
        }

        await ApiError.Result(status, code, message).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Bad request ({Status}) {Method} {Path}: {Detail}")]
    private partial void LogBadRequest(int status, string method, string path, string detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Request {Method} {Path} failed unexpectedly")]
    private partial void LogUnexpected(Exception ex, string method, string path);
}
