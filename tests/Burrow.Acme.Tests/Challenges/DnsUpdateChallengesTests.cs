using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Jws;
using Burrow.Acme.Tests.Bind;
using Burrow.Acme.Tests.Pebble;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Tests.Challenges;

/// <summary>
/// DNS-01 through RFC 2136 updates to a real BIND 9 (<see cref="BindServer"/>): what the solver adds and removes is
/// checked with <c>dig</c> against named, refusals come back with named's RCODE and TSIG error, and Pebble issues
/// the wildcard through records only named serves.
/// </summary>
public sealed class DnsUpdateChallengesTests : IClassFixture<BindFixture>
{
    private readonly BindServer _bind;
    private readonly PebbleServer _pebble;
    private readonly ITestOutputHelper _output;

    public DnsUpdateChallengesTests(BindFixture fixture, ITestOutputHelper output)
    {
        _bind = fixture.Bind;
        _pebble = fixture.Pebble;
        _output = output;
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static TsigKey ReadKey(string path)
    {
        Assert.True(TsigKeyFile.TryRead(path, out TsigKey key, out string error), error);
        return key;
    }

    private DnsUpdateChallenges Solver(TsigKey key, int? port = null) => new(new DnsUpdateOptions
    {
        Host = "127.0.0.1",
        Port = port ?? _bind.Port,
        Zone = BindServer.Zone,
        Key = key,
        QueryTimeout = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(100),
        VisibilityTimeout = TimeSpan.FromSeconds(10),
    });

    private static string UniqueLabel(string label) => $"{label}-{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task Present_adds_the_txt_values_named_answers_and_cleanup_removes_only_its_own()
    {
        var solver = Solver(ReadKey(_bind.UpdateKeyPath));
        string name = UniqueLabel("host") + "." + BindServer.Zone;
        string record = Dns01Challenges.RecordName(name);

        // Two values on one name, as an order for *.D and D has.
        await solver.PresentAsync(name, "t1", "t1.key", Cancel);
        await solver.PresentAsync(name, "t2", "t2.key", Cancel);
        Assert.Equal(new[] { Dns01Challenges.TxtValue("t1.key"), Dns01Challenges.TxtValue("t2.key") }.Order(StringComparer.Ordinal), await Tools.DigTxtAsync(_bind.Port, record));

        await solver.CleanupAsync(name, "t1", "t1.key", Cancel);
        Assert.Equal([Dns01Challenges.TxtValue("t2.key")], await Tools.DigTxtAsync(_bind.Port, record));
        await solver.CleanupAsync(name, "t2", "t2.key", Cancel);
        Assert.Empty(await Tools.DigTxtAsync(_bind.Port, record));
        Assert.Contains($"adding an RR at '{record}' TXT", _bind.Log, StringComparison.Ordinal);
        Assert.Contains($"deleting an RR at {record} TXT", _bind.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_5207_NOTAUTH_and_BADSIG_and_nothing_is_added()
    {
        TsigKey right = ReadKey(_bind.UpdateKeyPath);
        Assert.True(TsigKey.TryCreate(right.Name, right.Algorithm, Convert.ToBase64String(new byte[32]), "test", out TsigKey wrong, out string error), error);
        string name = UniqueLabel("badsig") + "." + BindServer.Zone;

        var ex = await Assert.ThrowsAsync<AcmeException>(() => Solver(wrong).PresentAsync(name, "t", "t.key", Cancel).AsTask());

        Assert.Equal(ErrorCodes.DnsUpdateRefused, ex.Code);
        Assert.Contains("RCODE NOTAUTH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TSIG error BADSIG", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{_bind.Port}", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Tools.DigTxtAsync(_bind.Port, Dns01Challenges.RecordName(name)));
        _output.WriteLine(ex.Message);
    }

    [Fact]
    public async Task A_key_the_server_does_not_know_is_refused_with_5207_NOTAUTH_and_BADKEY()
    {
        Assert.True(TsigKey.TryParse("nobody-knows-me:hmac-sha256:" + Convert.ToBase64String(new byte[32]), "test", out TsigKey unknown, out string error), error);

        var ex = await Assert.ThrowsAsync<AcmeException>(() => Solver(unknown).PresentAsync(UniqueLabel("badkey") + "." + BindServer.Zone, "t", "t.key", Cancel).AsTask());

        Assert.Equal(ErrorCodes.DnsUpdateRefused, ex.Code);
        Assert.Contains("RCODE NOTAUTH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TSIG error BADKEY", ex.Message, StringComparison.Ordinal);
        _output.WriteLine(ex.Message);
    }

    [Fact]
    public async Task A_valid_key_the_zone_does_not_allow_is_refused_with_5207_REFUSED()
    {
        // hmac-sha512, known to named, signs correctly; only allow-update says no.
        var ex = await Assert.ThrowsAsync<AcmeException>(() => Solver(ReadKey(_bind.OtherKeyPath)).PresentAsync(UniqueLabel("refused") + "." + BindServer.Zone, "t", "t.key", Cancel).AsTask());

        Assert.Equal(ErrorCodes.DnsUpdateRefused, ex.Code);
        Assert.Contains("RCODE REFUSED", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TSIG error NOERROR", ex.Message, StringComparison.Ordinal);
        _output.WriteLine(ex.Message);
    }

    [Fact]
    public async Task No_server_listening_is_5208_unreachable()
    {
        int closed = FreePorts.TcpAndUdp();
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<AcmeException>(() => Solver(ReadKey(_bind.UpdateKeyPath), closed).PresentAsync(BindServer.Zone, "t", "t.key", Cancel).AsTask());

        Assert.Equal(ErrorCodes.DnsUpdateUnreachable, ex.Code);
        Assert.Contains($"127.0.0.1:{closed}", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        _output.WriteLine(ex.Message);
    }

    [Fact]
    public async Task Pebble_issues_the_wildcard_and_the_apex_through_rfc2136_updates_to_bind()
    {
        var client = new AcmeClient(_pebble.Http, new AcmeClientOptions { Directory = _pebble.DirectoryUrl, PollInterval = TimeSpan.FromMilliseconds(200) }, AccountKey.Create());
        await client.CreateAccountAsync(["mailto:ops@burrow.test"], agreeToTerms: true, Cancel);
        string[] names = ["*." + BindServer.Zone, BindServer.Zone];
        var cleanupFailures = new List<Exception>();

        var clock = Stopwatch.StartNew();
        IssuedCertificate issued;
        try
        {
            issued = await new AcmeIssuer(client, [Solver(ReadKey(_bind.UpdateKeyPath))], (_, ex) => cleanupFailures.Add(ex))
                .IssueAsync(names, CertificateKeyKind.EcdsaP256, Cancel);
        }
        catch (AcmeException)
        {
            _output.WriteLine(_pebble.Log);
            _output.WriteLine(_bind.Log);
            throw;
        }

        _output.WriteLine($"dns-01 over RFC 2136 issuance: {clock.ElapsedMilliseconds} ms");
        Assert.Empty(cleanupFailures);
        using var root = await _pebble.GetRootAsync();
        var chain = issued.LoadChain();
        using var leaf = chain[0];
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.CustomTrustStore.Add(root);
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.ExtraStore.AddRange(chain);
        Assert.True(builder.Build(leaf), string.Join(", ", builder.ChainStatus.Select(s => s.Status)));
        Assert.True(leaf.MatchesHostname("x." + BindServer.Zone));
        Assert.True(leaf.MatchesHostname(BindServer.Zone));
        Assert.Empty(await Tools.DigTxtAsync(_bind.Port, Dns01Challenges.RecordName(BindServer.Zone)));
    }
}
