using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using LiveIm.Core.Errors;
using LiveIm.Core.Rooms;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Admin;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Http;
using LiveIm.RoomService.Configuration;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Admin;

/// <summary>
/// The per-room chat budget, for operators (docs/chat-budget.md), behind <see cref="BearerSecretFilter{TSecret}"/>:
/// <c>GET /api/rooms/{roomId}/chat-budget</c> → <c>{roomId, budgetPerSecond, source: "room"|"default"}</c>;
/// <c>PUT</c> with <c>{"budgetPerSecond": n}</c> (0..10000, 0 = unlimited) sets the room's own budget;
/// <c>DELETE</c> returns the room to the configured default. PUT and DELETE answer like GET, with the state after
/// the change. Errors are <c>{error, message}</c>: 401 <c>unauthorized</c>, 400 <c>invalid_room</c>,
/// 400 <c>invalid_argument</c>, 503 <c>unavailable</c>.
/// </summary>
public static class ChatBudgetEndpoint
{
    /// <summary>
    /// Largest body read. <c>{"budgetPerSecond": 10000}</c> is 26 bytes; a kilobyte leaves room for whitespace and
    /// stops anyone from making the service buffer a large body before it is refused.
    /// </summary>
    public const int MaxBodyBytes = 1024;

    private const string BudgetProperty = "budgetPerSecond";

    /// <summary>What the three methods answer.</summary>
    /// <param name="RoomId">The room.</param>
    /// <param name="BudgetPerSecond">The budget in effect, lines/s; 0 = unlimited.</param>
    /// <param name="Source"><c>room</c> (the room's own) or <c>default</c> (<c>Chat:BudgetPerSecond</c>).</param>
    public sealed record ChatBudgetView(string RoomId, int BudgetPerSecond, string Source);

    /// <summary>Maps the endpoints.</summary>
    public static void MapChatBudgetAdmin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/rooms/{roomId}/chat-budget").AddEndpointFilter<BearerSecretFilter<AdminSettings>>();
        group.MapGet("/", (string roomId, IRoomStore store, IOptions<ChatBudgetOptions> options, CancellationToken ct) =>
            Run(roomId, () => ViewAsync(roomId, store, options.Value, ct)));
        group.MapPut("/", (string roomId, HttpRequest request, IRoomStore store, IOptions<ChatBudgetOptions> options, CancellationToken ct) =>
            Run(roomId, async () =>
            {
                var (budget, error) = await ReadBudgetAsync(request, ct);
                if (error is not null)
                {
                    return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, error);
                }

                await store.SetChatBudgetAsync(roomId, budget, ct);
                return await ViewAsync(roomId, store, options.Value, ct);
            }));
        group.MapDelete("/", (string roomId, IRoomStore store, IOptions<ChatBudgetOptions> options, CancellationToken ct) =>
            Run(roomId, async () =>
            {
                await store.SetChatBudgetAsync(roomId, null, ct);
                return await ViewAsync(roomId, store, options.Value, ct);
            }));
    }

    private static async Task<IResult> Run(string roomId, Func<Task<IResult>> action)
    {
        if (!RoomIds.IsValid(roomId))
        {
            return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
        }

        try
        {
            return await action();
        }
        catch (StoreUnavailableException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the room store is unavailable; retry later");
        }
    }

    private static async Task<IResult> ViewAsync(string roomId, IRoomStore store, ChatBudgetOptions options, CancellationToken ct)
    {
        var own = await store.GetChatBudgetAsync(roomId, ct);
        return Results.Ok(own is { } budget
            ? new ChatBudgetView(roomId, budget, "room")
            : new ChatBudgetView(roomId, options.BudgetPerSecond, "default"));
    }

    /// <summary>Reads <c>{"budgetPerSecond": n}</c>: the budget, or the reason the body is refused.</summary>
    private static async Task<(int Budget, string? Error)> ReadBudgetAsync(HttpRequest request, CancellationToken ct)
    {
        var (body, error) = await SmallJsonBody.ReadAsync(request, MaxBodyBytes, ct);
        if (body is null)
        {
            return (0, error);
        }

        return ParseBudget(body);
    }

    private static (int Budget, string? Error) ParseBudget(byte[] body)
    {
        const string shape = "the body must be {\"budgetPerSecond\": <whole number 0..10000>}";
        if (body.Length == 0)
        {
            return (0, "the body is empty; " + shape);
        }

        // JsonDocument checks the structure but decodes strings lazily: invalid UTF-8 would surface later as an
        // exception, so it is refused here, before anything reads a property name.
        if (!Utf8.IsValid(body))
        {
            return (0, "the body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return (0, "the body is not valid JSON; " + shape);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (0, shape);
            }

            JsonElement? value = null;
            foreach (var property in root.EnumerateObject())
            {
                // Exact name only, and once: a typo or a second value must not be half-applied.
                if (!property.NameEquals(BudgetProperty) || value is not null)
                {
                    return (0, $"unexpected property '{Truncate(property.Name)}'; " + shape);
                }

                value = property.Value;
            }

            if (value is not { ValueKind: JsonValueKind.Number } number)
            {
                return (0, shape);
            }

            // 1.5, 1e3, -1 and 10^30 alike: one rule, one message.
            if (!number.TryGetInt64(out var budget) || budget is < 0 or > ChatBudgetOptions.MaxBudgetPerSecond)
            {
                return (0, $"{BudgetProperty} must be a whole number from 0 (unlimited) to {ChatBudgetOptions.MaxBudgetPerSecond}");
            }

            return ((int)budget, null);
        }
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "...";

    private static IResult Error(int status, string code, string message) => ApiError.Result(status, code, message);
}
