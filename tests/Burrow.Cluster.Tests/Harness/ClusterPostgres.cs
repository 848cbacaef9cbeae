using Burrow.Storage.Tests.Harness;

namespace Burrow.Cluster.Tests.Harness;

/// <summary>The cluster tests share one PostgreSQL server; each test gets its own database on it (its own cluster).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterPostgres : ICollectionFixture<PostgresServer>
{
    public const string Name = "cluster-postgres";
}
