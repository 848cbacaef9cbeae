using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Client;
using Burrow.Acme.Tests.Pebble;

namespace Burrow.Acme.Tests.Client;

public sealed class BadNonceTests
{
    [Fact]
    public async Task Issuance_succeeds_when_the_ca_rejects_half_the_nonces()
    {
        await using var harness = await AcmeHarness.StartAsync(nonceRejectPercent: 50);
        var client = await harness.NewAccountAsync(maxBadNonceRetries: 30);
        string name = "nonce." + AcmeHarness.Zone;

        var issued = await new AcmeIssuer(client, [harness.Http01]).IssueAsync([name], CertificateKeyKind.EcdsaP256, TestContext.Current.CancellationToken);

        Assert.Equal(X509ChainStatusFlags.NoError, await harness.VerifyChainAsync(issued, name));
        Assert.True(client.BadNonceRetries > 0, "pebble rejected no nonce");
    }

    [Fact]
    public async Task BadNonce_retries_are_bounded_and_the_problem_surfaces()
    {
        await using var harness = await AcmeHarness.StartAsync(nonceRejectPercent: 100);
        var client = harness.NewClient(maxBadNonceRetries: 3);

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.CreateAccountAsync([], true, TestContext.Current.CancellationToken));

        Assert.Equal("urn:ietf:params:acme:error:badNonce", error.ProblemType);
        Assert.Equal(3, client.BadNonceRetries);
    }
}
