using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Tls;

/// <summary>The idle timeout and connection limit of a passed-through tls tunnel, counted and timed at the edge on the encrypted bytes.</summary>
public sealed class TlsLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task Second_connection_is_refused_at_a_limit_of_one_and_the_idle_first_is_closed()
    {
        await using var edge = await EdgeRun.StartAsync(logLevel: "info");
        using var upstream = TlsEchoUpstream.Start("limits.localhost", "L:");
        using var state = new TempDirectory();
        await using var agent = BurrowProcess.Start(
            ["tls", "--url", "tls://limits.localhost", Port(upstream.Port), "--max-connections", "1", "--idle-timeout", "3s", .. edge.AgentArgs()],
            new Dictionary<string, string> { ["BURROW_STATE_DIR"] = state.Path, ["XDG_DATA_HOME"] = Path.Combine(state.Path, "data") });
        await agent.WaitForLineAsync(@"^Forwarding tls://limits\.localhost");

        await using SslStream first = await ConnectTlsAsync(edge.HttpsPort);
        Assert.Equal("L:one", await EchoAsync(first, "one"));

        // The edge closes the second connection before its ClientHello reaches the agent.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using SslStream second = await ConnectTlsAsync(edge.HttpsPort);
        });
        await edge.Process.WaitForLineAsync(@"limits\.localhost\): the tunnel already holds its limit of 1 connections \(ERR_BURROW_3011\)");

        // The first, left idle, is closed after the tunnel's 3 s.
        var clock = Stopwatch.StartNew();
        int read;
        try
        {
            read = await first.ReadAsync(new byte[16], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(40), Ct);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        await edge.Process.WaitForLineAsync(@"no bytes either way for 00:00:03 \(ERR_BURROW_3010\)");

        // With the first gone, a connection is carried again.
        while (true)
        {
            try
            {
                await using SslStream again = await ConnectTlsAsync(edge.HttpsPort);
                Assert.Equal("L:again", await EchoAsync(again, "again"));
                break;
            }
            catch (Exception ex) when (ex is IOException or AuthenticationException && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    private static async Task<string> EchoAsync(SslStream ssl, string line)
    {
        await ssl.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), Ct);
        using var reader = new StreamReader(ssl, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadLineAsync(Ct) ?? "";
    }

    private static async Task<SslStream> ConnectTlsAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            // Trust is not what this test is about: the upstream's self-signed certificate is accepted.
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "limits.localhost",
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            }, Ct);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
