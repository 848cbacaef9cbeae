using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Burrow.Acme.Tests.Pebble;

namespace Burrow.Acme.Tests.Bind;

/// <summary>
/// Debian's <c>/usr/sbin/named</c> (BIND 9) on 127.0.0.1 and a free port, in the foreground (<c>-g</c>), with its
/// directory, pid file, session key and journal in a temp folder and rndc off (<c>controls { };</c>: the default
/// would bind 127.0.0.1:953, which parallel test runs share). Primary for <see cref="Zone"/>, which
/// <see cref="UpdateKeyPath"/>'s key may update and <see cref="OtherKeyPath"/>'s (known to the server) may not. Both
/// keys are made by <c>tsig-keygen</c>, as an operator makes them. Runs as whoever runs the tests: as root named
/// keeps root (no <c>-u</c>), which a throwaway server on a high loopback port may.
/// </summary>
internal sealed class BindServer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/named";
    public const string Zone = "burrow.test";
    public const string UpdateKeyName = "burrow-acme";
    public const string OtherKeyName = "other-zone-key";

    private readonly Process _process;
    private readonly StringBuilder _log;

    private BindServer(Process process, StringBuilder log, string directory, int port)
    {
        _process = process;
        _log = log;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>The key allowed to update <see cref="Zone"/>, as tsig-keygen wrote it (hmac-sha256).</summary>
    public string UpdateKeyPath => Path.Combine(Directory, "update.key");

    /// <summary>A key the server knows (hmac-sha512) but does not allow to update the zone.</summary>
    public string OtherKeyPath => Path.Combine(Directory, "other.key");

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    public static async Task<BindServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("named is not installed: apt-get install bind9 (scripts/install-test-deps.sh)");
        }

        string directory = System.IO.Directory.CreateTempSubdirectory("burrow-named-").FullName;
        await WriteKeyAsync(Path.Combine(directory, "update.key"), "hmac-sha256", UpdateKeyName);
        await WriteKeyAsync(Path.Combine(directory, "other.key"), "hmac-sha512", OtherKeyName);
        int port = FreePorts.TcpAndUdp();
        string conf = $$"""
            include "{{directory}}/update.key";
            include "{{directory}}/other.key";
            options {
                directory "{{directory}}";
                pid-file "{{directory}}/named.pid";
                session-keyfile "{{directory}}/session.key";
                managed-keys-directory "{{directory}}";
                listen-on port {{port}} { 127.0.0.1; };
                listen-on-v6 { none; };
                recursion no;
                dnssec-validation no;
                allow-transfer { none; };
                notify no;
            };
            controls { };
            zone "{{Zone}}" {
                type primary;
                file "{{directory}}/{{Zone}}.zone";
                allow-update { key "{{UpdateKeyName}}"; };
            };
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "named.conf"), conf);
        await File.WriteAllTextAsync(Path.Combine(directory, Zone + ".zone"), $"""
            $TTL 60
            @    IN SOA ns1.{Zone}. hostmaster.{Zone}. 1 3600 600 604800 10
            @    IN NS  ns1.{Zone}.
            ns1  IN A   127.0.0.1
            @    IN A   127.0.0.1
            *    IN A   127.0.0.1

            """);

        var start = new ProcessStartInfo(Binary)
        {
            // -g: foreground, log to stderr; -n 1: one worker thread (the machine is shared).
            ArgumentList = { "-g", "-n", "1", "-c", Path.Combine(directory, "named.conf") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var log = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BindServer(process, log, directory, port);
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    private static async Task WriteKeyAsync(string path, string algorithm, string name)
    {
        var (code, output) = await Tools.RunAsync("/usr/sbin/tsig-keygen", "-a", algorithm, name);
        Assert.True(code == 0, output);
        await File.WriteAllTextAsync(path, output);
    }

    /// <summary>Asks for the zone's SOA until named answers it (it loads the zone after binding), for at most 20 s.</summary>
    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = Stopwatch.StartNew();
        using var client = new DnsClient([IPAddress.Loopback], [new UdpClientTransport(Port)], disposeTransport: true, queryTimeout: 500);
        while (true)
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException("named did not start:\n" + Log);
            }

            var answer = await client.ResolveAsync(DomainName.Parse(Zone), RecordType.Soa, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = false });
            if (answer is { ReturnCode: ReturnCode.NoError, AnswerRecords.Count: > 0 })
            {
                return;
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"named on 127.0.0.1:{Port}");
}
