using FastIngest.Core.Reading.Dashboard;
using FastIngest.Server.Dashboard;

namespace FastIngest.Tests.Dashboard;

public sealed class PanelCsvTests
{
    [Fact]
    public void AHeaderRowThenTheRowsWithCrLf()
    {
        var table = new PanelTable(null, ["metric", "value", "previous", "change"], [["requests", 12L, 10L, 0.2], ["cache_hit_ratio", null, null, null]]);
        Assert.Equal("metric,value,previous,change\r\nrequests,12,10,0.2\r\ncache_hit_ratio,,,\r\n", PanelCsv.Write(table));
    }

    [Theory]
    [InlineData("/plain/path", "/plain/path")]
    [InlineData("/a,b", "\"/a,b\"")]
    [InlineData("/say \"hi\"", "\"/say \"\"hi\"\"\"")]
    [InlineData("/line\nbreak", "\"/line\nbreak\"")]
    [InlineData("/cr\rreturn", "\"/cr\rreturn\"")]
    [InlineData("", "")]
    public void FieldsAreQuotedAsRfc4180Says(string value, string field) => Assert.Equal(field, PanelCsv.Field(value));

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tTAB", "'\tTAB")]
    [InlineData("=1,2", "\"'=1,2\"")]
    [InlineData("/ok=1", "/ok=1")]
    public void FormulaLookingTextIsNeutralized(string value, string field) => Assert.Equal(field, PanelCsv.Field(value));

    [Fact]
    public void NumbersStayNumbersEvenNegative()
    {
        Assert.Equal("-0.5", PanelCsv.Field(-0.5));
        Assert.Equal("18446744073709551", PanelCsv.Field(18446744073709551L));
        Assert.Equal("0.058823529411764705", PanelCsv.Field(1.0 / 17));
    }
}
