using FastIngest.Core.Sinks.Spool;
using FastIngest.Server.Hosting;
using FastIngest.Server.Http;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FastIngest.Tests.Hosting;

/// <summary>The composition root's options: one validation at start, reported as one line naming the key.</summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "fastingest-unit-state-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [InlineData("/new", "/old", "/new")]
    [InlineData(null, "/old", "/old")]
    [InlineData("", "/old", "/old")]
    [InlineData(null, null, StateOptions.DefaultDirectory)]
    public void StateDirectoryIsTheNewKeyThenTheOldEventsKeyThenTheDefault(string? newKey, string? oldKey, string expected)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StateOptions.Key] = newKey, [StateOptions.LegacyKey] = oldKey })
            .Build();
        var options = new StateOptions();
        configuration.GetSection(StateOptions.SectionName).Bind(options);
        new StateOptionsSetup(configuration).PostConfigure(null, options);
        Assert.Equal(expected, options.StateDirectory);
    }

    [Theory]
    [InlineData("FastIngest:ClickHouse:Url", "localhost:8123", "FastIngest:ClickHouse:Url 'localhost:8123' is not an absolute http:// or https:// URL")]
    [InlineData("FastIngest:Aggregation:Shards", "5000", "FastIngest:Aggregation:Shards must be between 0 and 1024")]
    [InlineData("FastIngest:Aggregation:Shards", "many", "'FastIngest:Aggregation:Shards'")]
    [InlineData("FastIngest:Pixel:AllowedTenants:0", "a b", "FastIngest:Pixel:AllowedTenants:0 'a b' is not a valid tenant name")]
    [InlineData("FastIngest:RawRows:Tenants:0", "*", "FastIngest:RawRows:Tenants:0 '*' is not a valid tenant name")]
    [InlineData("FastIngest:Metrics:TenantLabels:0", "*", "FastIngest:Metrics:TenantLabels:0 '*' is not a valid tenant name")]
    [InlineData("FastIngest:RawRows:MaxRowsPerFlush", "0", "FastIngest:RawRows:MaxRowsPerFlush must be between 1 and 1000000")]
    public void ABadSettingFailsValidationWithOneLineNamingItsKey(string key, string value, string expected)
    {
        using ServiceProvider services = Core(new() { ["FastIngest:StateDirectory"] = _state, [key] = value });
        Exception failure = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.True(StartupFailure.TryDescribe(failure, out string message), failure.ToString());
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void AStateDirectoryThatCannotBeWrittenFailsNamingThePath()
    {
        Directory.CreateDirectory(_state);
        string file = Path.Combine(_state, "a-file");
        File.WriteAllText(file, "");
        using ServiceProvider services = Core(new() { ["FastIngest:StateDirectory"] = Path.Combine(file, "state") });
        Exception failure = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.True(StartupFailure.TryDescribe(failure, out string message), failure.ToString());
        Assert.StartsWith($"FastIngest:StateDirectory: cannot write to {Path.Combine(file, "state")}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void TenantsNeedValidNamesAndNonEmptyKeysOwnedByOneTenant()
    {
        var tenants = new TenantsOptions();
        tenants.Tenants["shop"] = new TenantSettings { ApiKeys = { "k1", "" } };
        tenants.Tenants["bad name"] = new TenantSettings { ApiKeys = { "k1" } };
        string[] errors = [.. tenants.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(tenants)).Select(r => r.ErrorMessage!)];
        Assert.Contains("FastIngest:Tenants:shop:ApiKeys:1 is empty", errors);
        Assert.Contains(errors, e => e.StartsWith("FastIngest:Tenants:bad name is not a valid tenant name", StringComparison.Ordinal));
        Assert.Contains("FastIngest:Tenants:bad name:ApiKeys:0 is also a key of tenant shop", errors);
    }

    [Fact]
    public void FileSourcesNeedAPathAndAKnownFormat()
    {
        var files = new FastIngest.Server.Files.FileSourceOptions();
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/var/log/nginx/access.log", Format = "combined", Tenant = "shop" });
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "", Format = "xml" });
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/x.log", Format = "combined", TenantFromHost = true });
        // The default, auto, may read combined lines, which have no host.
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/y.log", TenantFromHost = true });
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/z.log", Format = "auto", Tenant = "shop" });
        string[] errors = [.. files.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(files)).Select(r => r.ErrorMessage!)];
        Assert.Equal(
            ["FastIngest:Files:Sources:1:Path is required", "FastIngest:Files:Sources:1:Format must be auto, json or combined, not 'xml', or the name of a format under FastIngest:Formats",
                "FastIngest:Files:Sources:2:TenantFromHost needs Format json: the combined format has no host",
                "FastIngest:Files:Sources:3:TenantFromHost needs Format json: the combined format has no host"],
            errors);
    }

    [Fact]
    public void AFileSourceMayNameAConfiguredFormat()
    {
        var files = new FastIngest.Server.Files.FileSourceOptions { KnownFormats = ["main"] };
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/var/log/nginx/access.log", Format = "main", Tenant = "shop" });
        files.Sources.Add(new FastIngest.Server.Files.TailedFile { Path = "/var/log/nginx/other.log", Format = "other", Tenant = "shop" });
        string[] errors = [.. files.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(files)).Select(r => r.ErrorMessage!)];
        Assert.Equal(["FastIngest:Files:Sources:1:Format must be auto, json or combined, not 'other', or the name of a format under FastIngest:Formats"], errors);
    }

    [Theory]
    [InlineData("'$remote_addr$remote_user [$time_local] $status'",
        "FastIngest:Formats:main: log format 'main': $remote_addr and $remote_user have no text between them")]
    [InlineData("'$remote_addr [$time_local]'", "FastIngest:Formats:main: log format 'main': it has no $status")]
    public void AnUnreadableLogFormatFailsTheStartNamingTheFormatAndTheProblem(string text, string expected)
    {
        using ServiceProvider services = Core(new() { ["FastIngest:StateDirectory"] = _state, ["FastIngest:Formats:main"] = text });
        Exception failure = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.True(StartupFailure.TryDescribe(failure, out string message), failure.ToString());
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void SyslogTagsMayOnlyNameConfiguredFormats()
    {
        var syslog = new FastIngest.Server.Syslog.SyslogOptions { KnownFormats = ["main"] };
        syslog.FormatByTag["shop"] = "main";
        syslog.FormatByTag["blog"] = "mian";
        syslog.FormatByTag["bad tag"] = "main";
        string[] errors = [.. syslog.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(syslog)).Select(r => r.ErrorMessage!)];
        Assert.Equal(
            ["FastIngest:Syslog:FormatByTag:blog: no format 'mian' under FastIngest:Formats",
                "FastIngest:Syslog:FormatByTag:bad tag is not a valid tag: 1-64 characters of [A-Za-z0-9_.-]"],
            errors);
    }

    [Fact]
    public void ASpoolFolderInUseFailsInOneLineNamingTheFolder()
    {
        string folder = Path.Combine(_state, "spool");
        using DiskSpool first = DiskSpool.Open(new SpoolOptions { Directory = folder }, NullLogger.Instance);
        Exception failure = Assert.ThrowsAny<Exception>(() => DiskSpool.Open(new SpoolOptions { Directory = folder }, NullLogger.Instance));
        Assert.True(StartupFailure.TryDescribe(failure, out string message), failure.ToString());
        Assert.Equal($"The spool folder {folder} is in use by another FastIngest process; give each its own FastIngest:Spool:Directory.", message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private static ServiceProvider Core(Dictionary<string, string?> settings)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddFastIngestCore(configuration, "spool").BuildServiceProvider();
    }
}
