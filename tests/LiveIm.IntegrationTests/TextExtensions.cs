namespace LiveIm.IntegrationTests;

/// <summary>Shortening long strings for test output.</summary>
internal static class TextExtensions
{
    /// <summary>At most <paramref name="max"/> characters, with "..." when cut.</summary>
    public static string Truncate(this string text, int max) => text.Length <= max ? text : text[..max] + "...";
}
