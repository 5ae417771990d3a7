using System.Text.Json;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Syslog;

/// <summary><c>udp</c> and <c>tcp</c> of the <c>/health</c> body.</summary>
internal sealed class SyslogHealthSection(UdpSyslogReceiver udp, TcpSyslogConnectionHandler tcp) : IHealthSection
{
    public void Write(Utf8JsonWriter json, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("udp");
        json.WriteNumber("datagrams", udp.Datagrams);
        json.WriteNumber("bytes", udp.Bytes);
        json.WriteEndObject();
        json.WriteStartObject("tcp");
        json.WriteNumber("open_connections", tcp.OpenConnections);
        json.WriteNumber("connections", tcp.Connections);
        json.WriteNumber("refused", tcp.Refused);
        json.WriteNumber("messages", tcp.Messages);
        json.WriteNumber("too_large", tcp.TooLarge);
        json.WriteEndObject();
    }
}
