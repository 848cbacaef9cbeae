using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Burrow.Testing;

namespace WebhookApp.Tests;

/// <summary>
/// The app as a process of its own, configured by environment only, serving through <c>UseBurrowTunnel</c>: curl reaches
/// it at its public URL, and the process listens on no TCP port.
/// </summary>
public sealed partial class CurlTests
{
    [Fact]
    public async Task The_app_served_through_its_tunnel_answers_curl_and_listens_on_no_port()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using BurrowTestEdge edge = await BurrowTestEdge.StartAsync(ct);
        string caFile = Path.Combine(Path.GetTempPath(), $"burrow-sample-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, edge.CaPem, ct);
        var start = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "WebhookApp.dll"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Burrow__ServerAddress"] = edge.AgentAddress;
        start.Environment["Burrow__ServerName"] = "localhost";
        start.Environment["Burrow__Authtoken"] = edge.Authtoken;
        start.Environment["Burrow__EdgeCaPath"] = caFile;
        start.Environment["Burrow__Url"] = "curl-sample";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        using Process app = Process.Start(start)!;
        try
        {
            Uri url = await ReadPublicUrlAsync(app, ct);
            Assert.StartsWith("curl-sample.", url.Host, StringComparison.Ordinal);

            (int status, string body) = await CurlAsync(url, caFile, ["-X", "POST", "-H", "content-type: application/json", "--data", """{"via":"curl"}""", new Uri(url, "/webhooks/curl").ToString()], ct);
            Assert.Equal(202, status);
            (status, body) = await CurlAsync(url, caFile, [new Uri(url, "/webhooks").ToString()], ct);
            Assert.Equal(200, status);
            Assert.Contains("\"source\":\"curl\"", body, StringComparison.Ordinal);
            Assert.Empty(ListeningTcpPorts(app.Id));
            // The same look finds the ports this test process does listen on (the edge's).
            Assert.Contains(edge.HttpsPort, ListeningTcpPorts(Environment.ProcessId));
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync(CancellationToken.None);
            File.Delete(caFile);
        }
    }

    // The app logs "Burrow tunnel NAME online: URL forwards to ..." once the edge has bound it.
    private static async Task<Uri> ReadPublicUrlAsync(Process app, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        var seen = new System.Text.StringBuilder();
        while (await app.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            seen.AppendLine(line);
            if (OnlineLine().Match(line) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException($"The app ended without a public URL. It said:\n{seen}\n{await app.StandardError.ReadToEndAsync(ct)}");
    }

    private static async Task<(int Status, string Body)> CurlAsync(Uri url, string caFile, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["-sS", "--max-time", "20", "--cacert", caFile, "--resolve", $"{url.Host}:{url.Port}:127.0.0.1", "-w", "\n%{http_code}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using Process curl = Process.Start(start)!;
        string output = await curl.StandardOutput.ReadToEndAsync(ct);
        string errors = await curl.StandardError.ReadToEndAsync(ct);
        await curl.WaitForExitAsync(ct);
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {errors}");
        int cut = output.LastIndexOf('\n');
        return (int.Parse(output[(cut + 1)..], CultureInfo.InvariantCulture), output[..cut]);
    }

    // Sockets of the process (its fd links "socket:[inode]") that /proc/net/tcp{,6} lists in state LISTEN (0A).
    private static List<int> ListeningTcpPorts(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target[8..^1]);
            }
        }

        var ports = new List<int>();
        foreach (string table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            foreach (string row in File.ReadLines(table).Skip(1))
            {
                string[] f = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f[3] == "0A" && inodes.Contains(f[9]))
                {
                    ports.Add(int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }

    [GeneratedRegex(@"Burrow tunnel \S+ online: (\S+)")]
    private static partial Regex OnlineLine();
}
