using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Burrow.Bench.Store;

/// <summary>
/// A throwaway PostgreSQL server (Debian's binaries) for the benchmark, with its default, durable
/// settings (fsync on), on a free loopback port; stopped and deleted at the end.
/// </summary>
internal sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _data;
    private readonly string _bin;
    private readonly bool _asRoot = Environment.UserName == "root";

    private LocalPostgres(string root, string bin, int port)
    {
        _root = root;
        _data = Path.Combine(root, "data");
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"postgres://burrow@127.0.0.1:{Port}/postgres");

    public static async Task<LocalPostgres> StartAsync()
    {
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .First(d => File.Exists(Path.Combine(d, "initdb")));
        string root = Directory.CreateTempSubdirectory("burrow-bench-pg-").FullName;
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();
        var pg = new LocalPostgres(root, bin, port);
        if (pg._asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", root]);
        }

        await pg.RunPgAsync("initdb", ["-D", pg._data, "-U", "burrow", "--auth=trust", "-E", "UTF8", "--locale=C"]);
        await pg.RunPgAsync("pg_ctl", ["-D", pg._data, "-l", Path.Combine(root, "log"), "-w", "-t", "120", "-o",
            string.Create(CultureInfo.InvariantCulture, $"-p {port} -h 127.0.0.1 -k {root} -c max_connections=200"), "start"]);
        return pg;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task RunPgAsync(string tool, string[] args) =>
        _asRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {await stdout}{await stderr}");
        }
    }
}
