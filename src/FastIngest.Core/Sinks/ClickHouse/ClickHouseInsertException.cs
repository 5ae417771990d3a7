namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>ClickHouse answered an insert with an error status; carries its message.</summary>
internal sealed class ClickHouseInsertException(int statusCode, string serverMessage)
    : Exception($"ClickHouse answered {statusCode}: {serverMessage.Trim()}")
{
    public int StatusCode { get; } = statusCode;
}
