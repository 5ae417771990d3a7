using System.Text;
using FastIngest.Core.Aggregation;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// <see cref="NameBudget.OverheadBytes"/> against the managed heap. Alone, after the parallel tests:
/// another class allocating meanwhile would count too.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public sealed class NameBudgetHeapTests
{
    [Fact]
    public void TheOverheadChargedPerNameCoversWhatTheHeapHolds()
    {
        var budget = new NameBudget(long.MaxValue, 1024);
        var table = new NameTable(200_000, "(other)"u8, 1024, budget);
        var names = new byte[100_000][];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Encoding.UTF8.GetBytes("/path/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (byte[] name in names)
        {
            Assert.True(table.TryGet(name, out _));
        }

        long held = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.InRange(held, budget.Used / 2, budget.Used);
        GC.KeepAlive(table);
    }
}
