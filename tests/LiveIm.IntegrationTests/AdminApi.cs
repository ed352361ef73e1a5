using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LiveIm.IntegrationTests;

/// <summary>Calls RoomService's admin endpoints the way an operator's script would: raw HTTP, raw JSON.</summary>
public sealed class AdminApi
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly Uri _roomService;

    public AdminApi(Uri roomService)
    {
        _roomService = roomService;
    }

    /// <summary>The chat budget URL of <paramref name="roomId"/>, escaped as a path segment.</summary>
    public Uri ChatBudgetUrl(string roomId) => new(_roomService, "/api/rooms/" + Uri.EscapeDataString(roomId) + "/chat-budget");

    /// <summary>Sends a request with <c>Authorization: Bearer <paramref name="token"/></c> (none when null).</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string roomId, string? token, HttpContent? body = null, Action<HttpRequestMessage>? tweak = null)
    {
        using var request = new HttpRequestMessage(method, ChatBudgetUrl(roomId)) { Content = body };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        tweak?.Invoke(request);
        using var response = await Http.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A JSON body.</summary>
    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    /// <summary>PUT <c>{"budgetPerSecond": n}</c> with the right token; throws unless it answers 200.</summary>
    public async Task SetBudgetAsync(string roomId, int budget)
    {
        var answer = await SendAsync(HttpMethod.Put, roomId, LiveImCluster.AdminToken, Json($"{{\"budgetPerSecond\":{budget}}}"));
        if (answer.Status != 200)
        {
            throw new InvalidOperationException($"PUT chat-budget answered {answer.Status}: {answer.Body}");
        }
    }

    /// <summary>A status and body.</summary>
    public sealed record Answer(int Status, string Body)
    {
        /// <summary>The <c>error</c> field of an error body (null when there is none).</summary>
        public string? Error => Field("error");

        /// <summary>A string field of a JSON object body.</summary>
        public string? Field(string name)
        {
            try
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var value)
                    ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        public override string ToString() => $"{Status} {Body}";
    }
}
