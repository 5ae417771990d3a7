using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Referrers;

/// <summary><c>referrers_1d</c> and <c>top_referrers.sql</c> on modern ClickHouse (26.7 through chDB): the same answers as on 18.16.</summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseTopReferrersTests(ModernClickHouse clickHouse)
{
    [Fact]
    public Task TopReferrersAnswersExactlyWhatWasSentWithTheRestAndTheBudgetFoldedIntoOther() =>
        TopReferrersTests.TopReferrersAnswersExactlyWhatWasSentAsync(
            (db, args) => ServerProcess.StartAsync(clickHouse, db, args),
            sql => Task.FromResult(clickHouse.Query(sql)));
}
