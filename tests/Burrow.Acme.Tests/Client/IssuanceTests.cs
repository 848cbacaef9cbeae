using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Tests.Pebble;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Tests.Client;

public sealed class IssuanceTests : IClassFixture<PebbleFixture>
{
    private readonly AcmeHarness _harness;
    private readonly ITestOutputHelper _output;

    public IssuanceTests(PebbleFixture fixture, ITestOutputHelper output)
    {
        _harness = fixture.Harness;
        _output = output;
    }

    // Pebble's own log, for a failing test's output.
    private void DumpPebbleLog() => _output.WriteLine(_harness.Pebble.Log);

    private static string UniqueName(string label) => $"{label}-{Guid.NewGuid():N}"[..20] + "." + AcmeHarness.Zone;

    [Fact]
    public async Task Http01_issues_an_ecdsa_certificate_that_chains_to_pebbles_root()
    {
        var client = await _harness.NewAccountAsync();
        string name = UniqueName("web");
        int before = _harness.Http01Requests;

        var clock = Stopwatch.StartNew();
        var issued = await new AcmeIssuer(client, [_harness.Http01]).IssueAsync([name], CertificateKeyKind.EcdsaP256, TestContext.Current.CancellationToken);
        _output.WriteLine($"http-01 issuance: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(X509ChainStatusFlags.NoError, await _harness.VerifyChainAsync(issued, name));
        Assert.True(_harness.Http01Requests > before, "pebble never asked the HTTP-01 responder");
        using var leaf = issued.LoadLeaf();
        Assert.NotNull(leaf.GetECDsaPublicKey());
        Assert.True(leaf.HasPrivateKey);
        Assert.False(_harness.Http01.TryAnswer(Http01Challenges.PathPrefix + "x", out _));
    }

    [Fact]
    public async Task TlsAlpn01_issues_an_rsa_certificate_that_chains_to_pebbles_root()
    {
        var client = await _harness.NewAccountAsync();
        string name = UniqueName("alpn");
        int before = _harness.TlsListener.Handshakes;

        var clock = Stopwatch.StartNew();
        var issued = await new AcmeIssuer(client, [_harness.TlsAlpn01]).IssueAsync([name], CertificateKeyKind.Rsa2048, TestContext.Current.CancellationToken);
        _output.WriteLine($"tls-alpn-01 issuance: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(X509ChainStatusFlags.NoError, await _harness.VerifyChainAsync(issued, name));
        Assert.True(_harness.TlsListener.Handshakes > before, "pebble never completed an acme-tls/1 handshake");
        using var leaf = issued.LoadLeaf();
        Assert.Equal(2048, leaf.GetRSAPublicKey()!.KeySize);
        Assert.False(_harness.TlsAlpn01.TryGet(name, out _));
    }

    [Fact]
    public async Task Dns01_issues_the_wildcard_and_the_apex_through_the_edges_dns_server()
    {
        var client = await _harness.NewAccountAsync();
        string[] names = ["*." + AcmeHarness.Zone, AcmeHarness.Zone];
        long queriesBefore = _harness.Dns.Queries;

        var clock = Stopwatch.StartNew();
        IssuedCertificate issued;
        try
        {
            issued = await new AcmeIssuer(client, [_harness.Dns01]).IssueAsync(names, CertificateKeyKind.EcdsaP256, TestContext.Current.CancellationToken);
        }
        catch (AcmeException)
        {
            DumpPebbleLog();
            throw;
        }

        _output.WriteLine($"dns-01 wildcard issuance: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(X509ChainStatusFlags.NoError, await _harness.VerifyChainAsync(issued, "anything." + AcmeHarness.Zone));
        using var leaf = issued.LoadLeaf();
        Assert.True(leaf.MatchesHostname(AcmeHarness.Zone));
        Assert.Empty(_harness.Dns01.TxtValues("_acme-challenge." + AcmeHarness.Zone));
        Assert.True(_harness.Dns.Queries >= queriesBefore + 2, "pebble did not look the two TXT records up in the edge's DNS");
    }

    [Fact]
    public async Task Revoked_certificate_is_revoked_at_the_ca_and_a_second_revocation_is_a_problem()
    {
        var client = await _harness.NewAccountAsync();
        string name = UniqueName("revoke");
        var issued = await new AcmeIssuer(client, [_harness.Http01]).IssueAsync([name], CertificateKeyKind.EcdsaP256, TestContext.Current.CancellationToken);
        using var leaf = issued.LoadLeaf();

        await client.RevokeAsync(leaf.RawData, reason: 4, TestContext.Current.CancellationToken);

        Assert.Equal("Revoked", await _harness.Pebble.GetStatusAsync(leaf.SerialNumber));
        var again = await Assert.ThrowsAsync<AcmeException>(() => client.RevokeAsync(leaf.RawData, 4, TestContext.Current.CancellationToken));
        Assert.Same(ErrorCodes.AcmeProblem, again.Code);
        Assert.Equal("urn:ietf:params:acme:error:alreadyRevoked", again.ProblemType);
    }

    [Fact]
    public async Task Order_for_a_name_the_ca_refuses_surfaces_its_problem_type_and_detail()
    {
        var client = await _harness.NewAccountAsync();

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.NewOrderAsync([AcmeHarness.BlockedName], TestContext.Current.CancellationToken));

        _output.WriteLine(error.Message);
        Assert.Same(ErrorCodes.AcmeProblem, error.Code);
        Assert.Equal("urn:ietf:params:acme:error:rejectedIdentifier", error.ProblemType);
        Assert.False(string.IsNullOrEmpty(error.Problem!.Detail));
        Assert.Contains(error.Problem.Detail!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Challenge_nobody_answers_fails_with_the_cas_problem_and_leaves_nothing_behind()
    {
        var client = await _harness.NewAccountAsync();
        string name = UniqueName("silent");

        var error = await Assert.ThrowsAsync<AcmeException>(() =>
            new AcmeIssuer(client, [new SilentSolver()]).IssueAsync([name], CertificateKeyKind.EcdsaP256, TestContext.Current.CancellationToken));

        _output.WriteLine(error.Message);
        Assert.Same(ErrorCodes.AcmeChallengeFailed, error.Code);
        Assert.StartsWith(AcmeProblem.AcmeErrorPrefix, error.ProblemType, StringComparison.Ordinal);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Claims http-01 but puts nothing up: the CA finds a 404.</summary>
    private sealed class SilentSolver : IChallengeSolver
    {
        public string ChallengeType => "http-01";

        public bool CanSolve(string name, bool wildcard) => true;

        public ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
