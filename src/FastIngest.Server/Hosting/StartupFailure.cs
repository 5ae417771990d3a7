using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using FastIngest.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Turns what stops a start (a setting that does not parse or validate, a port in use, a folder that
/// cannot be written) into one line naming the key, port or path. The server and <c>import</c> print it
/// on stderr and exit with <see cref="ExitCode"/>, instead of an unhandled exception's stack trace.
/// Anything else is a bug and keeps its stack trace.
/// </summary>
internal static partial class StartupFailure
{
    /// <summary>
    /// The exit code of a start that failed on configuration or the environment: 78, <c>EX_CONFIG</c>
    /// of sysexits.h, so a unit can say not to restart in a loop (systemd: <c>RestartPreventExitStatus=78</c>).
    /// </summary>
    public const int ExitCode = 78;

    /// <summary>True when <paramref name="exception"/> is an operator's problem; <paramref name="message"/> is then its line.</summary>
    /// <param name="exception">What the start threw.</param>
    /// <param name="message">The line to print.</param>
    /// <param name="keyOfPort">The configuration key of a TCP port Kestrel listens on, to name it when the port is taken.</param>
    public static bool TryDescribe(Exception exception, out string message, Func<int, string?>? keyOfPort = null)
    {
        var lines = new List<string>();
        bool known = Describe(exception, lines, keyOfPort);
        message = string.Join("; ", lines);
        return known && lines.Count > 0;
    }

    private static bool Describe(Exception exception, List<string> lines, Func<int, string?>? keyOfPort)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                foreach (Exception inner in aggregate.InnerExceptions)
                {
                    if (!Describe(inner, lines, keyOfPort))
                    {
                        return false;
                    }
                }

                return true;
            case OptionsValidationException validation:
                foreach (string failure in validation.Failures)
                {
                    lines.Add(Describe(validation, failure));
                }

                return true;
            case InvalidOperationException when exception.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                // "Failed to convert configuration value 'abc' at 'FastIngest:Syslog:UdpPort' to type 'System.Int32'."
                lines.Add(exception.InnerException is { } cause ? $"{exception.Message} {cause.Message}" : exception.Message);
                return true;
            case StartupException:
                lines.Add(exception.Message);
                return true;
            case IOException when exception.InnerException is AddressInUseException or SocketException:
                // Kestrel: "Failed to bind to address http://127.0.0.1:8080: address already in use."
                Match bound = KestrelBindFailure().Match(exception.Message);
                string? key = bound.Success ? keyOfPort?.Invoke(int.Parse(bound.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
                lines.Add(key is null ? exception.Message : $"{key}: {exception.Message}");
                return true;
            case IOException or UnauthorizedAccessException:
                // .NET's file-system errors name the path.
                lines.Add(exception.Message);
                return true;
            default:
                return false;
        }
    }

    /// <summary>One validation failure as "FastIngest:Section:Key …".</summary>
    private static string Describe(OptionsValidationException validation, string failure)
    {
        if (failure.StartsWith("FastIngest:", StringComparison.Ordinal))
        {
            return failure;
        }

        string section = SectionOf(validation.OptionsType) ?? validation.OptionsName;
        Match match = DataAnnotationFailure().Match(failure);
        if (!match.Success)
        {
            return $"{(string.IsNullOrEmpty(validation.OptionsName) ? section : validation.OptionsName)}: {failure}";
        }

        string error = match.Groups["error"].Value;
        if (error.StartsWith("FastIngest:", StringComparison.Ordinal))
        {
            return error;
        }

        string member = match.Groups["members"].Value.Split(',')[0].Trim();
        string key = member.Length > 0 ? $"{section}:{member}" : section;
        // "The field UdpPort must be between 0 and 65535." → "FastIngest:Syslog:UdpPort must be between 0 and 65535."
        string field = $"The field {member} ";
        return member.Length > 0 && error.StartsWith(field, StringComparison.Ordinal)
            ? key + " " + error[field.Length..].TrimEnd('.')
            : $"{key}: {error}";
    }

    /// <summary>The options class's <c>SectionName</c> constant.</summary>
    private static string? SectionOf(Type optionsType) =>
        optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    // Kestrel's message: "Failed to bind to address http://127.0.0.1:8080: address already in use."
    [GeneratedRegex(@"address \S+:(?<port>[0-9]{1,5}): ")]
    private static partial Regex KestrelBindFailure();

    // Microsoft.Extensions.Options.DataAnnotations' message for one failed member.
    [GeneratedRegex(@"^DataAnnotation validation failed for '(?<type>[^']*)' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
