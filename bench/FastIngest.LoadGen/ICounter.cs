namespace FastIngest.LoadGen;

/// <summary>Where the receiving side's running total of counted messages is read.</summary>
internal interface ICounter
{
    string Describe { get; }

    Task<long> ReadAsync();
}
