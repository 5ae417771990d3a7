using System.Reflection;
using FastIngest.Core.Aggregation;
using FastIngest.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace FastIngest.Tests.Hosting;

/// <summary>
/// Every <c>[LoggerMessage]</c> EventId is used once across the server and core, so a filter or alert on
/// an EventId means one message. Blocks: Hosting 1-99, Syslog 1xx, Pixel 2xx, Events 3xx, Aggregation 4xx,
/// Sinks 5xx, Spool 6xx, Files 7xx, Import 8xx (each block's <c>Log</c> class notes its next free id).
/// </summary>
public sealed class LoggerEventIdTests
{
    [Fact]
    public void NoTwoLoggerMessagesShareAnEventId()
    {
        var byId = new Dictionary<int, List<string>>();
        foreach (Assembly assembly in new[] { typeof(IngestPipeline).Assembly, typeof(IngestHostedService).Assembly })
        {
            foreach (Type type in assembly.GetTypes())
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } message)
                    {
                        if (!byId.TryGetValue(message.EventId, out List<string>? methods))
                        {
                            byId[message.EventId] = methods = [];
                        }

                        methods.Add(type.FullName + "." + method.Name);
                    }
                }
            }
        }

        Assert.True(byId.Count > 20, $"only {byId.Count} [LoggerMessage] methods found: is the reflection looking in the right place?");
        string[] duplicates = [.. byId.Where(p => p.Value.Count > 1).OrderBy(p => p.Key).Select(p => $"EventId {p.Key}: {string.Join(", ", p.Value)}")];
        Assert.True(duplicates.Length == 0, "EventIds used more than once:\n" + string.Join("\n", duplicates));
    }
}
