using Burrow.Storage.Sql;

namespace Burrow.Storage.Tests.Sql;

public sealed class DatabaseAddressTests
{
    [Fact]
    public void A_postgres_url_gives_host_port_user_password_database_and_parameters()
    {
        var b = DatabaseAddress.FromUrl("postgres://al%40ice:s3cr%3At@db.example.com:6543/burrow?sslmode=require&timeout=7");
        Assert.Equal("db.example.com", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("al@ice", b.Username);
        Assert.Equal("s3cr:t", b.Password);
        Assert.Equal("burrow", b.Database);
        Assert.Equal(Npgsql.SslMode.Require, b.SslMode);
        Assert.Equal(7, b.Timeout);
    }

    [Fact]
    public void A_unix_socket_directory_may_be_given_as_the_host_parameter()
    {
        var b = DatabaseAddress.FromUrl("postgresql:///burrow?host=/run/postgresql");
        Assert.Equal("/run/postgresql", b.Host);
        Assert.Equal("burrow", b.Database);
    }

    [Fact]
    public async Task The_description_never_shows_the_password()
    {
        await using SqlDialect dialect = DatabaseAddress.Parse("postgres://alice:hunter22@db.example.com/burrow", "/tmp");
        Assert.Equal(StoreKind.Postgres, dialect.Kind);
        Assert.DoesNotContain("hunter22", dialect.Description, StringComparison.Ordinal);
        Assert.Contains("db.example.com", dialect.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_value_strings_are_postgres_and_paths_are_sqlite()
    {
        await using (SqlDialect pg = DatabaseAddress.Parse("Host=127.0.0.1;Database=burrow", "/tmp"))
        {
            Assert.Equal(StoreKind.Postgres, pg.Kind);
        }

        string dir = Directory.CreateTempSubdirectory("burrow-addr-").FullName;
        await using (SqlDialect def = DatabaseAddress.Parse(null, dir))
        {
            Assert.Equal(Path.Combine(dir, "burrow.db"), def.Description);
        }

        await using (SqlDialect file = DatabaseAddress.Parse($"sqlite:{dir}/other.db", dir))
        {
            Assert.Equal(StoreKind.Sqlite, file.Kind);
            Assert.Equal(Path.Combine(dir, "other.db"), file.Description);
        }
    }

    [Theory]
    [InlineData("postgres://")]
    [InlineData("postgres://h/db?nosuchkeyword=1")]
    [InlineData("Database=burrow")]
    [InlineData("Host=x;Bogus Keyword=1")]
    public void Malformed_postgres_addresses_are_invalid(string value)
    {
        var ex = Assert.Throws<StoreException>(() => DatabaseAddress.Parse(value, "/tmp"));
        Assert.Equal(StoreErrorKind.Invalid, ex.Kind);
    }

    [Theory]
    [InlineData("postgres://u@db/burrow", 20)]
    [InlineData("postgres://u@db/burrow?Maximum%20Pool%20Size=7", 7)]
    [InlineData("postgres://u@db/burrow?maxpoolsize=7", 7)]
    [InlineData("postgres://u@db/burrow?Maximum%20Pool%20Size=100", 100)]
    [InlineData("postgres://u@db/burrow?minpoolsize=30", 30)]
    public void The_pool_is_capped_unless_the_operator_sized_it(string url, int expected)
    {
        Assert.Equal(expected, DatabaseAddress.CapPool(DatabaseAddress.FromUrl(url), 20).MaxPoolSize);
    }

    [Fact]
    public void A_connection_string_with_a_pool_size_keeps_it()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder("Host=db;Maximum Pool Size=55");
        Assert.Equal(55, DatabaseAddress.CapPool(builder, 20).MaxPoolSize);
        Assert.Equal(20, DatabaseAddress.CapPool(new Npgsql.NpgsqlConnectionStringBuilder("Host=db"), 20).MaxPoolSize);
    }
}
