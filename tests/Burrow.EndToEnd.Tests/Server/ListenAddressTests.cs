using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Server;

/// <summary><c>burrow server</c>'s listen addresses, as an operator writes them.</summary>
public sealed class ListenAddressTests
{
    [Fact(Timeout = 60_000)]
    public async Task Off_turns_a_listener_off_and_the_edge_still_starts()
    {
        using var dataDir = new TempDirectory();
        await using var edge = BurrowProcess.Start(
        [
            "server", "--agent-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", "off",
            "--admin-addr", "off", "--health-addr", "off", "--data-dir", dataDir.Path, "--authtoken", "brw_e2e_test_token",
        ]);

        await edge.WaitForLineAsync("^Ready");
        Assert.Matches(@"HTTPS\s+listening on 127\.0\.0\.1:", edge.Output);
        Assert.DoesNotMatch(@"(?m)^HTTP\s+listening", edge.Output);
        Assert.DoesNotMatch(@"(?m)^Admin\s+listening", edge.Output);
        Assert.DoesNotContain("Exception", edge.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_taken_port_says_which_flag_moves_the_listener()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        string address = taken.LocalEndpoint.ToString()!;
        using var dataDir = new TempDirectory();

        (int agentExit, string agentOutput) = await BurrowProcess.RunToEndAsync(
            ["server", "--agent-addr", address, "--https-addr", "off", "--http-addr", "127.0.0.1:0", "--admin-addr", "off", "--data-dir", dataDir.Path]);
        (int httpExit, string httpOutput) = await BurrowProcess.RunToEndAsync(
            ["server", "--agent-addr", "127.0.0.1:0", "--https-addr", "off", "--http-addr", address, "--admin-addr", "off", "--data-dir", dataDir.Path]);

        Assert.NotEqual(0, agentExit);
        Assert.Contains($"cannot start: ERR_BURROW_5011: The edge's agent listener cannot listen on {address}", agentOutput, StringComparison.Ordinal);
        Assert.Contains("--agent-addr", agentOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, httpExit);
        Assert.Contains("cannot start", httpOutput, StringComparison.Ordinal);
        Assert.Contains("--http-addr", httpOutput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bad_listen_address_is_refused_with_the_forms_that_work()
    {
        (int exit, string output) = await BurrowProcess.RunToEndAsync(["server", "--admin-addr", "nowhere"]);

        Assert.NotEqual(0, exit);
        Assert.Contains("'nowhere' is not a listen address", output, StringComparison.Ordinal);
    }
}
