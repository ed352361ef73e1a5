namespace LiveIm.Hosting.Auth;

/// <summary>What <see cref="SecretSetting"/> checks for one secret.</summary>
/// <param name="Setting">The configuration key, e.g. <c>Auth:SigningKey</c> (its section is the part before the colon).</param>
/// <param name="DevelopmentValue">The public value local runs use.</param>
/// <param name="MinBytes">Shortest accepted value in UTF-8 bytes.</param>
/// <param name="Kind">What the secret is, e.g. "key" or "token" (in messages).</param>
/// <param name="Purpose">What it is for (in the message when it is missing).</param>
public sealed record SecretRule(string Setting, string DevelopmentValue, int MinBytes, string Kind, string Purpose);
