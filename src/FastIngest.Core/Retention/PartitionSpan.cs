namespace FastIngest.Core.Retention;

/// <summary>How long one partition of a table lasts.</summary>
internal enum PartitionSpan
{
    Month,
    Day,
}
