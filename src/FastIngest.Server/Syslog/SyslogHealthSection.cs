using System.Text.Json;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Syslog;

/// <summary><c>udp</c> and <c>tcp</c> of the <c>/health</c> body.</summary>
internal sealed class SyslogHealthSection(UdpSyslogReceiver udp, TcpSyslogAdmission admission, TcpSyslogConnectionHandler tcp) : IHealthSection
{
    public void Write(Utf8JsonWriter json, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("udp");
        json.WriteNumber("datagrams", udp.Datagrams);
        json.WriteNumber("bytes", udp.Bytes);
        json.WriteNumber("refused_source", udp.RefusedSource);
        json.WriteEndObject();
        json.WriteStartObject("tcp");
        json.WriteNumber("open_connections", admission.OpenConnections);
        json.WriteNumber("addresses", admission.Addresses);
        json.WriteNumber("connections", admission.Connections);
        json.WriteNumber("refused", admission.RefusedConnections);
        json.WriteNumber("refused_source", admission.RefusedSource);
        json.WriteNumber("refused_per_address", admission.RefusedPerAddress);
        json.WriteNumber("frame_timeouts", tcp.FrameTimeouts);
        json.WriteNumber("messages", tcp.Messages);
        json.WriteNumber("too_large", tcp.TooLarge);
        json.WriteEndObject();
    }
}
