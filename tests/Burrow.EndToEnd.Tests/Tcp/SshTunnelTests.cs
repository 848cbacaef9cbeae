using System.Security.Cryptography;
using Burrow.EndToEnd.Tests.Harness;
using static Burrow.EndToEnd.Tests.Harness.RawTunnelFixture;

namespace Burrow.EndToEnd.Tests.Tcp;

/// <summary>Debian's ssh and scp through a tcp tunnel to an sshd the test starts: a command, and a file copied both ways.</summary>
public sealed class SshTunnelTests(SshTunnelFixture fixture) : IClassFixture<SshTunnelFixture>
{
    [Fact(Timeout = 60_000)]
    public async Task Ssh_runs_a_command_on_the_server()
    {
        string output = await Tool.RunOkAsync("ssh", [.. fixture.Server.ClientOptions(), "-p", I(fixture.Agent.Port), $"{Sshd.User}@127.0.0.1", "echo through-$((6*7)) && whoami"],
            timeout: TimeSpan.FromSeconds(45));

        Assert.Equal($"through-42\n{Sshd.User}\n", output);
    }

    [Fact(Timeout = 90_000)]
    public async Task Scp_copies_a_file_up_and_back_down_unchanged()
    {
        string local = Path.Combine(fixture.Temp.Path, "up.bin"), remote = Path.Combine(fixture.Temp.Path, "remote.bin"), back = Path.Combine(fixture.Temp.Path, "down.bin");
        byte[] data = RandomNumberGenerator.GetBytes(16 * 1024 * 1024 + 3);
        await File.WriteAllBytesAsync(local, data, TestContext.Current.CancellationToken);
        string expected = Convert.ToHexStringLower(SHA256.HashData(data));
        string[] scp = [.. fixture.Server.ClientOptions(), "-P", I(fixture.Agent.Port)];

        await Tool.RunOkAsync("scp", [.. scp, local, $"{Sshd.User}@127.0.0.1:{remote}"], timeout: TimeSpan.FromSeconds(60));
        string remoteHash = await Tool.RunOkAsync("ssh", [.. fixture.Server.ClientOptions(), "-p", I(fixture.Agent.Port), $"{Sshd.User}@127.0.0.1", $"sha256sum {remote}"],
            timeout: TimeSpan.FromSeconds(45));
        await Tool.RunOkAsync("scp", [.. scp, $"{Sshd.User}@127.0.0.1:{remote}", back], timeout: TimeSpan.FromSeconds(60));

        Assert.StartsWith(expected + " ", remoteHash, StringComparison.Ordinal);
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(back, TestContext.Current.CancellationToken))));
    }
}

/// <summary>An edge, an sshd, and a tcp tunnel to it.</summary>
public sealed class SshTunnelFixture : RawTunnelFixture
{
    public Sshd Server { get; private set; } = null!;

    public TcpAgentRun Agent { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Server = Own(await Sshd.StartAsync(Temp.Path));
        Agent = Own(await StartTcpAsync([$"127.0.0.1:{I(Server.Port)}"]));
    }
}
