using System.Text.Json;
using System.Text.Unicode;
using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Http;

namespace LiveIm.RoomService.Auth;

/// <summary>
/// <c>POST /api/dev/token</c> with <c>{userId, name, role, room}</c> returns <c>{token}</c>. For local runs, tests and
/// load tests only: mapped only when <c>DevTokens:Enabled</c> is true (off unless configured; run.sh turns it on).
/// Production tokens come from the platform's own identity service, signed with the same key.
/// </summary>
/// <remarks>
/// The body is read and checked here, not bound by minimal APIs: binding answers a wrong type or bad JSON with an
/// empty 400 (or, in Development, a page with a stack trace), and a client learns nothing from either. Every refusal
/// here names the field and the rule.
/// </remarks>
public static class DevTokenEndpoint
{
    /// <summary>
    /// Largest body read. The four fields at their limits (128 + 64 + 9 + 64 characters, \u-escaped at worst) stay under
    /// 2 KB; 4 KB leaves room for whitespace.
    /// </summary>
    public const int MaxBodyBytes = 4096;

    private const string Shape = "the body must be {\"userId\": \"...\", \"name\": \"...\", \"role\": \"viewer\"|\"streamer\"|\"moderator\", \"room\": \"...\"} (name, role and room optional)";

    private static readonly string[] Fields = ["userId", "name", "role", "room"];

    /// <summary>The request body.</summary>
    public sealed record DevTokenRequest(string? UserId, string? Name, string? Role, string? Room);

    /// <summary>Maps the endpoint.</summary>
    public static void MapDevTokens(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/dev/token", async (HttpRequest request, LiveImTokens tokens, CancellationToken ct) =>
        {
            var (body, readError) = await ReadAsync(request, ct);
            if (body is null)
            {
                return Error(readError!);
            }

            if (string.IsNullOrWhiteSpace(body.UserId) || body.UserId.Length > 128)
            {
                return Error("userId is required (1..128 characters)");
            }

            var role = body.Role ?? Roles.Viewer;
            if (!Roles.IsKnown(role))
            {
                return Error("role must be viewer, streamer or moderator");
            }

            if (Roles.IsRoomBound(role) && !RoomIds.IsValid(body.Room))
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "streamer and moderator tokens need a valid room");
            }

            if (body.Room is not null && !RoomIds.IsValid(body.Room))
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
            }

            var name = string.IsNullOrWhiteSpace(body.Name) ? body.UserId : body.Name.Trim();
            if (name.Length > 64)
            {
                return Error("name is longer than 64 characters");
            }

            return Results.Ok(new { token = tokens.Issue(body.UserId, name, role, Roles.IsRoomBound(role) ? body.Room : null, TimeSpan.FromHours(12)) });
        });
    }

    private static async Task<(DevTokenRequest? Body, string? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var (bytes, error) = await SmallJsonBody.ReadAsync(request, MaxBodyBytes, ct);
        if (bytes is null)
        {
            return (null, error + "; " + Shape);
        }

        if (bytes.Length == 0 || !Utf8.IsValid(bytes))
        {
            return (null, "the body is empty or not UTF-8; " + Shape);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return (null, $"the body is not valid JSON{where}; " + Shape);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Shape);
            }

            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Exact names, once each: a typo ("userid") must not silently issue a token for nobody.
                var field = Array.Find(Fields, f => property.NameEquals(f));
                if (field is null)
                {
                    return (null, $"unknown field '{Shorten(property.Name)}'; " + Shape);
                }

                if (values.ContainsKey(field))
                {
                    return (null, $"{field} is given twice");
                }

                if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return (null, $"{field} must be a string");
                }

                values[field] = property.Value.GetString();
            }

            return (new DevTokenRequest(values.GetValueOrDefault("userId"), values.GetValueOrDefault("name"),
                values.GetValueOrDefault("role"), values.GetValueOrDefault("room")), null);
        }
    }

    private static string Shorten(string name)
    {
        var shown = new string([.. name.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 40 ? shown + "…" : shown;
    }

    private static IResult Error(string message) => ApiError.Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, message);
}
