namespace FastIngest.Core.ClickHouse.Cluster;

/// <summary>One statement of the cluster's schema and the server that runs it.</summary>
internal readonly record struct ClusterSchemaStep(Uri Server, string Statement);
