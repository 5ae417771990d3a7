namespace FastIngest.Core.ClickHouse;

/// <summary>ClickHouse answered an insert or a query with an error status; carries its message.</summary>
internal sealed class ClickHouseException(int statusCode, string serverMessage)
    : Exception($"ClickHouse answered {statusCode}: {serverMessage.Trim()}")
{
    public int StatusCode { get; } = statusCode;

    /// <summary>ClickHouse's error text as it sent it (trimmed): what a quarantined round keeps.</summary>
    public string ServerMessage { get; } = serverMessage.Trim();

    /// <summary>The <c>Code: N</c> of ClickHouse's answer; null when the body has none (a proxy's 502, say).</summary>
    public int? Code { get; } = ClickHouseErrors.TryParseCode(serverMessage, out int code) ? code : null;
}
