using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LiveIm.RoomService.Replay;

/// <summary>
/// The replay API's opaque cursor: the epoch and the replay position (score) of the last event of the previous page,
/// base64url-encoded. Scores are unique per epoch and follow (streamTs, id) order (lib/clock.lua), so a page that
/// starts strictly after the previous page's last score never skips or repeats an event, even among events of equal
/// streamTs. Clients must treat it as opaque; the format may change.
/// </summary>
public static class ReplayCursor
{
    private const string Version = "v1";

    /// <summary>The cursor of a page ending at <paramref name="after"/> in <paramref name="epoch"/>.</summary>
    public static string Encode(long epoch, long after) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{Version}:{epoch}:{after}")));

    /// <summary>
    /// Reads a cursor given out for <paramref name="epoch"/>. False for anything else (malformed, another epoch, a
    /// negative position): the endpoint answers 400.
    /// </summary>
    public static bool TryDecode(string cursor, long epoch, out long after)
    {
        after = 0;
        if (cursor.Length is 0 or > 96)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split(':');
        return parts.Length == 3
            && parts[0] == Version
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var cursorEpoch)
            && cursorEpoch == epoch
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out after);
    }
}
