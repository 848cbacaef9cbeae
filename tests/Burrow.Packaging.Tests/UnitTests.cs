namespace Burrow.Packaging.Tests;

/// <summary>The systemd units of packaging/systemd, scored by systemd's own sandboxing analysis (no running systemd needed).</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("burrow-edge.service", "burrow-edge.service")]
    [InlineData("burrow-agent@.service", "burrow-agent@web.service")]
    public async Task The_units_are_sandboxed_to_an_exposure_of_at_most_2_of_10(string file, string instance)
    {
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: apt-get install systemd (scripts/install-test-deps.sh)");
        using var dir = new TempDir();
        string unit = dir.Combine(instance);
        File.Copy(Repo.File(Path.Combine("packaging", "systemd", file)), unit);

        // --threshold is on systemd's 0-100 scale: 20 is an overall exposure of 2.0 ("OK"; 10 is "UNSAFE").
        var (exit, output, error) = await Run.ToEndAsync("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--threshold=20", "--no-pager", unit],
            new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin", ["SYSTEMD_COLORS"] = "0" });

        Assert.True(exit == 0, output + error);
        Assert.Contains($"Overall exposure level for {instance}:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_edge_binds_low_ports_with_one_capability_and_the_agent_with_none()
    {
        string edge = Repo.Read("packaging/systemd/burrow-edge.service");
        string agent = Repo.Read("packaging/systemd/burrow-agent@.service");

        Assert.Contains("\nUser=burrow\n", edge, StringComparison.Ordinal);
        Assert.Contains("\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n", edge, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n", edge, StringComparison.Ordinal);
        Assert.Contains("\nEnvironmentFile=-/etc/burrow/edge.env\n", edge, StringComparison.Ordinal);
        Assert.Contains("\nDynamicUser=yes\n", agent, StringComparison.Ordinal);
        Assert.Contains("\nCapabilityBoundingSet=\n", agent, StringComparison.Ordinal);
        Assert.Contains("\nLoadCredential=burrow.yml:/etc/burrow/%i.yml\n", agent, StringComparison.Ordinal);
        foreach (string unit in new[] { edge, agent })
        {
            foreach (string setting in new[] { "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "SystemCallFilter=@system-service" })
            {
                Assert.Contains("\n" + setting + "\n", unit, StringComparison.Ordinal);
            }
        }
    }
}
