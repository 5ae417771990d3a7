using FastIngest.Server.Files;
using FastIngest.Server.Syslog;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Formats;

/// <summary>
/// Tells the syslog and file options which custom formats exist, so each can refuse, at start and naming
/// its own key, a tag or file mapped to a format that is not configured.
/// </summary>
internal sealed class LogFormatNamesSetup(IOptions<LogFormatOptions> formats) : IPostConfigureOptions<SyslogOptions>, IPostConfigureOptions<FileSourceOptions>
{
    public void PostConfigure(string? name, SyslogOptions options) => options.KnownFormats = [.. formats.Value.Formats.Keys];

    public void PostConfigure(string? name, FileSourceOptions options) => options.KnownFormats = [.. formats.Value.Formats.Keys];
}
