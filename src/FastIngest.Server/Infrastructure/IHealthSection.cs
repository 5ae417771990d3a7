using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Infrastructure;

/// <summary>
/// A component's part of the <c>/health</c> body: registered in DI next to the component, written in
/// registration order, so the endpoint names no component.
/// </summary>
internal interface IHealthSection
{
    /// <summary>Writes this section's properties into the body's root object.</summary>
    void Write(Utf8JsonWriter json, HealthReport report);
}
