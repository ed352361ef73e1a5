namespace LiveIm.Core.Rooms;

/// <summary>Chat text rules: 1..500 characters after trimming, no control characters.</summary>
public static class ChatText
{
    /// <summary>Longest accepted chat line, in UTF-16 characters after trimming.</summary>
    public const int MaxLength = 500;

    /// <summary>Trims and validates; returns the text to store, or an error detail.</summary>
    public static bool TryNormalize(string? text, out string normalized, out string error)
    {
        normalized = string.Empty;
        if (text is null)
        {
            error = "text is required";
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            error = "text is empty";
            return false;
        }

        if (trimmed.Length > MaxLength)
        {
            error = $"text is longer than {MaxLength} characters";
            return false;
        }

        foreach (var c in trimmed)
        {
            // Cc (C0, DEL, C1) would let a sender corrupt other viewers' screens or logs.
            // Lone surrogates are invalid UTF-16 and would not survive UTF-8 encoding.
            if (char.IsControl(c))
            {
                error = "text contains control characters";
                return false;
            }
        }

        for (var i = 0; i < trimmed.Length; i++)
        {
            if (char.IsHighSurrogate(trimmed[i]) && i + 1 < trimmed.Length && char.IsLowSurrogate(trimmed[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(trimmed[i]))
            {
                error = "text contains an unpaired surrogate";
                return false;
            }
        }

        normalized = trimmed;
        error = string.Empty;
        return true;
    }
}
