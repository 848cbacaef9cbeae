using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Burrow.Storage.Tests.Harness;

/// <summary>
/// A real PostgreSQL server (Debian's postgresql package) for the test run: initdb into a temp
/// directory, pg_ctl start on a free loopback port, trust authentication; stopped and deleted at
/// the end. Run as the postgres user when the tests run as root, since initdb refuses root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The superuser every client logs in as (trust authentication on loopback).</summary>
    public const string User = "burrow";
    private string _root = "";
    private string _data = "";
    private string _options = "";
    private bool _started;

    public int Port { get; private set; }

    public string BinDirectory { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        BinDirectory = FindBinaries();
        _root = Directory.CreateTempSubdirectory("burrow-pg-").FullName;
        _data = Path.Combine(_root, "data");
        bool asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _root]);
        }

        await RunPgAsync(asRoot, "initdb", ["-D", _data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
        // A port found free may be taken by another engineer's test before postgres binds it; try a few.
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _options = string.Create(CultureInfo.InvariantCulture,
                $"-p {Port} -h 127.0.0.1 -k {_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200");
            try
            {
                await StartServerAsync();
                break;
            }
            catch (InvalidOperationException) when (attempt < 4)
            {
            }
        }
    }

    /// <summary>
    /// Stops the server as an operator's restart does (<c>pg_ctl stop -m fast</c>: every client connection is ended),
    /// keeping its data directory and port for <see cref="StartAgainAsync"/>. Only for a server a test owns: the
    /// collection fixture other test classes share must stay up.
    /// </summary>
    public async Task StopAsync()
    {
        await RunPgAsync(Environment.UserName == "root", "pg_ctl", ["-D", _data, "-m", "fast", "-w", "-t", "120", "stop"]);
        _started = false;
    }

    /// <summary>Starts a server stopped by <see cref="StopAsync"/> again, on the same data directory and port.</summary>
    public Task StartAgainAsync() => StartServerAsync();

    private async Task StartServerAsync()
    {
        await RunPgAsync(Environment.UserName == "root", "pg_ctl", ["-D", _data, "-l", Path.Combine(_root, "log"), "-w", "-t", "120", "-o", _options, "start"]);
        _started = true;
    }

    /// <summary>A new, empty database; returns its key=value connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Timeout=60;Command Timeout=60");

    public string Url(string database) => string.Create(CultureInfo.InvariantCulture, $"postgres://{User}@127.0.0.1:{Port}/{database}");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_started)
        {
            try
            {
                await RunPgAsync(Environment.UserName == "root", "pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Deleting the directory below is all that is left to do.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install Debian's postgresql (scripts/install-test-deps.sh does).");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private Task RunPgAsync(bool asRoot, string tool, string[] args) =>
        asRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. args])
            : RunAsync(Path.Combine(BinDirectory, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }
}
