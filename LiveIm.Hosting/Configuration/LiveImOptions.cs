using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LiveIm.Hosting.Configuration;

/// <summary>
/// The one way LiveIm binds settings: <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>, validated with the
/// type's own checks, <c>ValidateOnStart()</c>. A bad value stops start-up (<see cref="LiveImHost"/>) with a message
/// naming the setting. The bound object is also registered as a singleton of its own type for the classes that take
/// it directly (the hot path reads plain fields, not <see cref="IOptions{TOptions}"/>).
/// </summary>
public static class LiveImOptions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it with <paramref name="check"/> at start-up.</summary>
    /// <param name="services">The container.</param>
    /// <param name="section">The configuration section, e.g. <c>Fanout</c>.</param>
    /// <param name="check">Throws <see cref="InvalidOperationException"/> naming the setting when a value is out of range.</param>
    public static OptionsBuilder<T> AddLiveImOptions<T>(this IServiceCollection services, string section, Action<T>? check = null)
        where T : class
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        if (check is not null)
        {
            services.AddSingleton<IValidateOptions<T>>(new CheckedBy<T>(check));
        }

        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    // The checks the options classes already carry (their messages name each setting and its range), as a validator.
    private sealed class CheckedBy<T>(Action<T> check) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            try
            {
                check(options);
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
