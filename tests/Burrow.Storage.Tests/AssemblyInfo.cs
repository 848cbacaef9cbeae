using Burrow.Storage.Tests.Harness;

// One PostgreSQL server for the whole run; each test gets its own database on it.
[assembly: AssemblyFixture(typeof(PostgresServer))]
