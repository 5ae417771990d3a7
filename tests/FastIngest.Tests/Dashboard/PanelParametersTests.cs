using FastIngest.Core.Reading.Dashboard;
using FastIngest.Server.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FastIngest.Tests.Dashboard;

public sealed class PanelParametersTests
{
    private static QueryCollection Query(params (string Key, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Key, p => new StringValues(p.Value)));

    [Theory]
    [InlineData("2026-11-25T10:00:00Z", "2026-11-25T10:00:00")]
    [InlineData("2026-11-25T10:00Z", "2026-11-25T10:00:00")]
    [InlineData("2026-11-25T10:00:00.250Z", "2026-11-25T10:00:00.25")]
    [InlineData("2026-11-25T11:00:00+01:00", "2026-11-25T10:00:00")]
    [InlineData("2026-11-25T05:00:00-05:00", "2026-11-25T10:00:00")]
    public void TimesWithAnOffsetAreThatInstant(string text, string utc)
    {
        Assert.True(PanelParameters.TryParseTime(text, DashboardTimeZone.Utc, out DateTime parsed));
        Assert.Equal(DateTimeKind.Utc, parsed.Kind);
        Assert.Equal(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("2026-11-25", "2026-11-24T23:00:00")]
    [InlineData("2026-11-25T00:00", "2026-11-24T23:00:00")]
    [InlineData("2026-07-01T12:00:00", "2026-07-01T10:00:00")]
    public void TimesWithoutAnOffsetAreWallClockTimesOfTheZone(string text, string utc)
    {
        Assert.True(DashboardTimeZone.TryFind("Europe/Berlin", out DashboardTimeZone berlin));
        Assert.True(PanelParameters.TryParseTime(text, berlin, out DateTime parsed));
        Assert.Equal(DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-11-25 10:00:00")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-11-25T10:00:00ZZ")]
    [InlineData("1795600800")]
    [InlineData("2026-11-25T10:00:00Z' OR 1=1 --")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("2200-01-01T00:00:00Z")]
    [InlineData(" 2026-11-25T10:00:00Z")]
    [InlineData("2026-03-29T02:30:00")]
    public void AnythingElseIsRefused(string text)
    {
        Assert.True(DashboardTimeZone.TryFind("Europe/Berlin", out DashboardTimeZone berlin));
        Assert.False(PanelParameters.TryParseTime(text, berlin, out _));
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Etc/GMT+5")]
    public void KnownIanaZonesAreFound(string id)
    {
        Assert.True(DashboardTimeZone.TryFind(id, out DashboardTimeZone zone));
        Assert.Equal(id, zone.Id);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/Berlin'")]
    [InlineData("Europe/Berlin') OR 1=1 --")]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/localtime")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("Europe\\Berlin")]
    public void AnythingElseIsNotAZone(string id) => Assert.False(DashboardTimeZone.TryFind(id, out _));

    [Fact]
    public void ANameLongerThanAnyZoneIsNotLookedUp() => Assert.False(DashboardTimeZone.TryFind("Europe/" + new string('a', 100), out _));

    [Fact]
    public void ARequestWithDefaults()
    {
        PanelRequest? request = PanelParameters.TryRead("shop", Query(("from", "2026-11-25T00:00:00Z"), ("to", "2026-11-26T00:00:00Z")), out string? error);
        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal(("shop", 10, "UTC"), (request.Tenant, request.Limit, request.Range.Zone.Id));
    }

    [Theory]
    [InlineData("tz", "Nowhere/Else", "Invalid tz: expected an IANA time zone name, e.g. Europe/Berlin")]
    [InlineData("from", "", "Invalid from: expected ISO 8601, e.g. 2026-11-25T00:00:00Z")]
    [InlineData("to", "tomorrow", "Invalid to: expected ISO 8601, e.g. 2026-11-26T00:00:00Z")]
    [InlineData("limit", "0", "Invalid limit: expected 1 to 100")]
    [InlineData("limit", "101", "Invalid limit: expected 1 to 100")]
    [InlineData("limit", "-1", "Invalid limit: expected 1 to 100")]
    [InlineData("limit", "1e2", "Invalid limit: expected 1 to 100")]
    [InlineData("to", "2026-11-24T00:00:00Z", "Invalid range: to must be after from")]
    [InlineData("from", "2025-01-01T00:00:00Z", "Invalid range: at most 400 days")]
    public void EachBadParameterHasItsMessage(string key, string value, string message)
    {
        var pairs = new Dictionary<string, string> { ["from"] = "2026-11-25T00:00:00Z", ["to"] = "2026-11-26T00:00:00Z", [key] = value };
        Assert.Null(PanelParameters.TryRead("shop", Query([.. pairs.Select(p => (p.Key, p.Value))]), out string? error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("shop", true)]
    [InlineData("a.b-c_D9", true)]
    [InlineData("", false)]
    [InlineData("shop'", false)]
    [InlineData("sh op", false)]
    [InlineData("shöp", false)]
    public void TenantNamesFollowTheNameRules(string tenant, bool valid) => Assert.Equal(valid, PanelParameters.IsValidTenant(tenant));

    [Fact]
    public void ATenantNameOf65BytesIsRefused()
    {
        Assert.True(PanelParameters.IsValidTenant(new string('a', 64)));
        Assert.False(PanelParameters.IsValidTenant(new string('a', 65)));
    }
}
