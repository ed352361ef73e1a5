using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace LiveIm.Hosting.Http;

/// <summary>
/// Reads the small JSON body of an operator or service endpoint, refusing a wrong content type and anything over a cap,
/// whether or not the request declared its length (a chunked body is capped while it is read).
/// </summary>
public static class SmallJsonBody
{
    /// <summary>The body's bytes, or the reason it is refused (for a 400 <c>invalid_argument</c>).</summary>
    public static async Task<(byte[]? Body, string? Error)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            return (null, "the body must be JSON (Content-Type: application/json)");
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, $"the body is larger than {maxBytes} bytes");
        }

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            if (read.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(read.Buffer.Start);
                return (null, $"the body is larger than {maxBytes} bytes");
            }

            if (read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return (body, null);
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
