namespace FastIngest.Core.ClickHouse;

/// <summary>ClickHouse answered an insert or a query with an error status; carries its message.</summary>
internal sealed class ClickHouseException(int statusCode, string serverMessage)
    : Exception($"ClickHouse answered {statusCode}: {serverMessage.Trim()}")
{
    public int StatusCode { get; } = statusCode;
}
