using Burrow.Storage.Tests.Harness;
namespace Burrow.Edge.Tests.Admin;

/// <summary>The admin API tests share one PostgreSQL server; each test gets its own database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresGroup : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
