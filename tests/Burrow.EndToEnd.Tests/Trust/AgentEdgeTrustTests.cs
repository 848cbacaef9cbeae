using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.Trust;

/// <summary>
/// An agent given <c>--edge-ca</c> trusts the system's roots too, so it keeps connecting when its edge moves from the
/// local CA to a publicly trusted (ACME) certificate. The "system roots" are what .NET on Linux reads them from:
/// <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c> in the agent's environment.
/// </summary>
public sealed class AgentEdgeTrustTests
{
    [Fact(Timeout = 120_000)]
    public async Task An_agent_with_edge_ca_of_another_ca_connects_to_an_edge_whose_certificate_the_system_trusts()
    {
        using var dir = new TempDirectory();
        using var publicCa = new PemCertificates(dir.Path, "public");
        using var localCa = new PemCertificates(dir.Path, "local");
        var (crt, key, _) = publicCa.IssueServer("edge.burrow.test");
        await using var edge = await EdgeRun.StartAsync(extra: ["--tls-cert", crt, "--tls-key", key]);
        await using var upstream = await Upstream.StartAsync();
        string emptyDir = Directory.CreateDirectory(Path.Combine(dir.Path, "no-certs")).FullName;
        string[] args =
        [
            upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--server", edge.AgentAddress, "--server-name", "edge.burrow.test", "--authtoken", edge.Token, "--edge-ca", localCa.CaPath, "--web-addr", "false",
        ];

        using (var state = new TempDirectory())
        {
            // The edge's CA is a "system" root here; --edge-ca names another one.
            await using var agent = await AgentRun.StartAsync(args, state.Path, environment: new Dictionary<string, string>
            {
                ["SSL_CERT_FILE"] = publicCa.CaPath,
                ["SSL_CERT_DIR"] = emptyDir,
            });
            Assert.StartsWith("https://", agent.HttpsUrl.ToString(), StringComparison.Ordinal);
        }

        using (var state = new TempDirectory())
        {
            // Trusted by neither: stopped with 1009, saying both were tried.
            await using var agent = await AgentRun.StartAsync(args, state.Path, waitForUrl: false, environment: new Dictionary<string, string>
            {
                ["SSL_CERT_FILE"] = localCa.CaPath,
                ["SSL_CERT_DIR"] = emptyDir,
            });
            Assert.Equal(1, await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Matches(
                @"ERR_BURROW_1009: The edge at \S+ presented a certificate this agent does not trust: it is issued by 'CN=Burrow test CA public', which is not trusted by the system's roots or by --edge-ca \('CN=Burrow test CA local'\)",
                agent.Process.Output);
        }
    }
}
