namespace FastIngest.Core.Parsing.Syslog;

/// <summary>Which syslog header layout a message used.</summary>
internal enum SyslogFormat : byte
{
    /// <summary>BSD syslog, <c>&lt;PRI&gt;Mmm dd hh:mm:ss [HOST] TAG: MSG</c>, as NGINX sends it.</summary>
    Rfc3164,

    /// <summary><c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]</c>.</summary>
    Rfc5424,
}
