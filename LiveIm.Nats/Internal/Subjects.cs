namespace LiveIm.Nats.Internal;

/// <summary>
/// Subject checks (https://docs.nats.io/nats-concepts/subjects). Higher layers validate their own ids; this is
/// defence in depth so that a bad subject can never break the text protocol (a space would shift fields, a CR/LF
/// would inject a command).
/// </summary>
internal static class Subjects
{
    /// <summary>Subjects for SUB: non-empty tokens, no whitespace; <c>*</c> and a final <c>&gt;</c> allowed.</summary>
    public static void ValidateForSubscribe(string subject, string paramName)
    {
        Validate(subject, paramName, allowWildcards: true);
    }

    /// <summary>Subjects for PUB: like SUB, but no wildcard tokens (a publish names one concrete subject).</summary>
    public static void ValidateForPublish(string subject, string paramName)
    {
        Validate(subject, paramName, allowWildcards: false);
    }

    /// <summary>Reply subjects and queue group names: non-empty, no whitespace.</summary>
    public static void ValidateToken(string value, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, paramName);
        if (HasWhitespace(value))
        {
            throw new ArgumentException($"'{value}' must not contain whitespace.", paramName);
        }
    }

    private static void Validate(string subject, string paramName, bool allowWildcards)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject, paramName);
        if (HasWhitespace(subject))
        {
            throw new ArgumentException($"Subject '{subject}' must not contain whitespace.", paramName);
        }

        var tokenStart = 0;
        for (var i = 0; i <= subject.Length; i++)
        {
            if (i < subject.Length && subject[i] != '.')
            {
                continue;
            }

            var token = subject.AsSpan(tokenStart, i - tokenStart);
            if (token.IsEmpty)
            {
                throw new ArgumentException($"Subject '{subject}' has an empty token.", paramName);
            }

            var isWildcard = token is "*" || token is ">";
            if (isWildcard && !allowWildcards)
            {
                throw new ArgumentException($"Cannot publish to wildcard subject '{subject}'.", paramName);
            }

            if (token is ">" && i != subject.Length)
            {
                throw new ArgumentException($"Subject '{subject}': '>' must be the last token.", paramName);
            }

            tokenStart = i + 1;
        }
    }

    private static bool HasWhitespace(string value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
