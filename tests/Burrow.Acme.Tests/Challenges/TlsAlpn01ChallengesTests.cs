using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Burrow.Acme.Challenges;

namespace Burrow.Acme.Tests.Challenges;

public sealed class TlsAlpn01ChallengesTests
{
    [Fact]
    public void Certificate_carries_the_digest_in_a_critical_acme_identifier_and_only_the_name()
    {
        using var certificate = TlsAlpn01Challenges.CreateCertificate("a.burrow.test", "token.thumb");

        var extension = Assert.Single(certificate.Extensions, e => e.Oid?.Value == TlsAlpn01Challenges.AcmeIdentifierOid);
        Assert.True(extension.Critical);
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes("token.thumb")), reader.ReadOctetString());
        Assert.True(certificate.MatchesHostname("a.burrow.test"));
        Assert.False(certificate.MatchesHostname("b.burrow.test"));
    }

    [Fact]
    public async Task Certificate_is_served_only_while_the_challenge_is_pending()
    {
        var challenges = new TlsAlpn01Challenges();

        await challenges.PresentAsync("a.burrow.test", "t", "t.k", default);
        Assert.True(challenges.TryGet("A.burrow.test", out _));
        Assert.False(challenges.TryGet("b.burrow.test", out _));
        await challenges.CleanupAsync("a.burrow.test", "t", "t.k", default);
        Assert.False(challenges.TryGet("a.burrow.test", out _));
    }
}
