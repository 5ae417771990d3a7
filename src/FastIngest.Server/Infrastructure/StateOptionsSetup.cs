using Microsoft.Extensions.Options;

namespace FastIngest.Server.Infrastructure;

/// <summary>
/// Falls back to <see cref="StateOptions.LegacyKey"/>, then to <see cref="StateOptions.DefaultDirectory"/>,
/// when <see cref="StateOptions.Key"/> is not set.
/// </summary>
internal sealed class StateOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<StateOptions>
{
    public void PostConfigure(string? name, StateOptions options)
    {
        if (!string.IsNullOrEmpty(options.StateDirectory))
        {
            options.Source = StateOptions.Key;
        }
        else if (configuration[StateOptions.LegacyKey] is { Length: > 0 } legacy)
        {
            options.StateDirectory = legacy;
            options.Source = StateOptions.LegacyKey;
        }
        else
        {
            options.StateDirectory = StateOptions.DefaultDirectory;
            options.Source = StateOptions.Key;
        }
    }
}
