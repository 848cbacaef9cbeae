using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's PostgreSQL, initialised into a temp directory and started on a free loopback port (its
/// unix socket in that directory too), with trust authentication for user postgres. PostgreSQL
/// refuses to run as root, so as root it runs as the postgres user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dir;

    private PostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public static string BinDirectory { get; } = FindBinDirectory();

    public int Port { get; }

    private string DataDir => Path.Combine(_dir, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        // Its own temp directory: the postgres user must own it, and cannot enter a test's root-only one.
        string dir = Directory.CreateTempSubdirectory("burrow-pg-").FullName;
        if (IsRoot)
        {
            await Tool.RunOkAsync("chown", ["postgres:postgres", dir]);
        }

        int port = FreePort.Loopback();
        var server = new PostgresServer(dir, port);
        try
        {
            await AsOwnerAsync("initdb", ["-D", server.DataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], TimeSpan.FromSeconds(90));
            string options = string.Create(CultureInfo.InvariantCulture,
                $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=1GB");
            await AsOwnerAsync("pg_ctl", ["-D", server.DataDir, "-l", Path.Combine(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"], TimeSpan.FromSeconds(90));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            {
                await AsOwnerAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(30));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Best effort; the directory goes anyway.
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Task<string> AsOwnerAsync(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        string path = Path.Combine(BinDirectory, program);
        return IsRoot
            ? Tool.RunOkAsync("runuser", ["-u", "postgres", "--", path, .. args], timeout: timeout)
            : Tool.RunOkAsync(path, args, timeout: timeout);
    }

    private static string FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        return Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault() ?? ""
            : "";
    }
}
