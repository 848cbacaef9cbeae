using System.Globalization;
using Npgsql;

namespace Burrow.Storage.Sql;

/// <summary>Turns the <c>--database</c> value into a dialect: a PostgreSQL URL or connection string, else an SQLite path.</summary>
internal static class DatabaseAddress
{
    public static SqlDialect Parse(string? database, string dataDirectory)
    {
        string value = database?.Trim() ?? "";
        if (value.Length == 0)
        {
            Directory.CreateDirectory(dataDirectory);
            return new SqliteDialect(Path.Combine(dataDirectory, StoreOptions.DefaultSqliteFileName));
        }

        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new PostgresDialect(FromUrl(value));
        }

        if (value.Contains('=', StringComparison.Ordinal) && !value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(value);
                if (string.IsNullOrEmpty(builder.Host))
                {
                    throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL connection string has no Host.");
                }

                return new PostgresDialect(builder);
            }
            catch (ArgumentException ex)
            {
                throw new StoreException(StoreErrorKind.Invalid, $"Not a valid PostgreSQL connection string: {ex.Message}", ex);
            }
        }

        string path = value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) ? value["sqlite:".Length..] : value;
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        if (path.Length == 0)
        {
            throw new StoreException(StoreErrorKind.Invalid, "The SQLite database path is empty.");
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new SqliteDialect(path);
    }

    /// <summary>
    /// Caps the data source's pool at <paramref name="max"/> connections unless the operator set a size in the URL or
    /// connection string. Npgsql's own default (100 per data source) would let three nodes of a cluster in a burst of
    /// binds use up PostgreSQL's <c>max_connections</c> (100 by default) and starve each other: found by bench/cluster.
    /// </summary>
    public static NpgsqlConnectionStringBuilder CapPool(NpgsqlConnectionStringBuilder builder, int max)
    {
        // The builder writes only the keywords that were set, under their canonical names (an alias such as
        // maxpoolsize comes out as "Maximum Pool Size").
        if (!builder.ConnectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = Math.Max(max, builder.MinPoolSize);
        }

        return builder;
    }

    /// <summary>
    /// <c>postgres://user:password@host:port/database?sslmode=require&amp;host=/run/postgresql</c>; the
    /// query may set any Npgsql keyword (a <c>host</c> there names a Unix socket directory).
    /// </summary>
    public static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            throw new StoreException(StoreErrorKind.Invalid, "Not a valid PostgreSQL URL; expected postgres://user:password@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (uri.Host.Length > 0)
        {
            builder.Host = uri.Host.Trim('[', ']');
        }

        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]);
            string val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key] = val;
            }
            catch (ArgumentException ex)
            {
                throw new StoreException(StoreErrorKind.Invalid, string.Create(CultureInfo.InvariantCulture, $"Unknown PostgreSQL URL parameter '{key}': {ex.Message}"), ex);
            }
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new StoreException(StoreErrorKind.Invalid, "The PostgreSQL URL names no host (give host in the URL or ?host=/socket/dir).");
        }

        return builder;
    }
}
