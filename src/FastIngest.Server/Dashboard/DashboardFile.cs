namespace FastIngest.Server.Dashboard;

/// <summary>One file of the dashboard, read once from the assembly: its bytes, type and validator.</summary>
internal sealed record DashboardFile(byte[] Content, string ContentType, string ETag);
