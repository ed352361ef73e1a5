using System.Text;
using LiveIm.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LiveIm.Hosting.Auth;

/// <summary>
/// The project's one rule for secrets (signing keys, service and admin tokens): read from configuration; in the
/// Development environment a missing value falls back to a clearly marked development value; anywhere else a
/// missing value, one shorter than the minimum, or the (public) development value stops the process with a message
/// that names the setting and its environment variable.
/// </summary>
public static class SecretSetting
{
    /// <summary>
    /// Binds the secret's options class to its section like every other setting (<see cref="LiveImOptions"/>), fills
    /// in the development value in Development (PostConfigure) and applies the rule at start-up (ValidateOnStart).
    /// </summary>
    public static OptionsBuilder<T> AddSecret<T>(this IServiceCollection services, SecretRule rule, Func<T, string?> read, Action<T, string> write)
        where T : class
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        services.AddSingleton<IValidateOptions<T>>(sp => new SecretValidator<T>(rule, read, sp.GetRequiredService<IHostEnvironment>()));
        return services.AddOptions<T>()
            .BindConfiguration(rule.Setting[..rule.Setting.IndexOf(':', StringComparison.Ordinal)])
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (string.IsNullOrWhiteSpace(read(options)) && environment.IsDevelopment())
                {
                    write(options, rule.DevelopmentValue);
                }
            })
            .ValidateOnStart();
    }

    /// <summary>Why <paramref name="value"/> is refused under <paramref name="rule"/> in <paramref name="environment"/>, or null.</summary>
    public static string? Refusal(string? value, SecretRule rule, IHostEnvironment environment)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return environment.IsDevelopment() ? null
                : $"Missing setting '{rule.Setting}' (environment variable {rule.Setting.Replace(":", "__", StringComparison.Ordinal)}): {rule.Purpose}, " +
                  $"at least {rule.MinBytes} {Unit(rule.Kind)}. Only the Development environment runs with a built-in development {rule.Kind}.";
        }

        if (Encoding.UTF8.GetByteCount(value) < rule.MinBytes)
        {
            return $"Setting '{rule.Setting}' is shorter than {rule.MinBytes} {Unit(rule.Kind)}.";
        }

        if (value == rule.DevelopmentValue && !environment.IsDevelopment())
        {
            return $"Setting '{rule.Setting}' holds the development {rule.Kind}, which is public; set a real secret outside Development.";
        }

        return null;
    }

    // Keys are measured in bytes (HS256 wants 256 bits); tokens are typed by people, in characters (ASCII: the same).
    private static string Unit(string kind) => kind == "key" ? "bytes" : "characters";

    private sealed class SecretValidator<T>(SecretRule rule, Func<T, string?> read, IHostEnvironment environment) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            Refusal(read(options), rule, environment) is { } refusal ? ValidateOptionsResult.Fail(refusal) : ValidateOptionsResult.Success;
    }
}
