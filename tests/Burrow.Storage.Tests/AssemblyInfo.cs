using Burrow.Storage.Tests.Harness;

// One PostgreSQL server for the whole run; each test gets its own database on it.
[assembly: AssemblyFixture(typeof(PostgresServer))]

// Dapper.AOT's analyzer comes along with Burrow.Storage. The few checks here that read the
// database directly run on the JIT only, so they keep vanilla Dapper.
[module: Dapper.DapperAot(false)]
