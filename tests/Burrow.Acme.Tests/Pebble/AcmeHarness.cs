using System.Net;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Dns;
using Burrow.Acme.Jws;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Burrow.Acme.Tests.Pebble;

/// <summary>
/// Pebble plus everything it validates against: the edge's DNS server for the zone <c>burrow.test</c> (every name →
/// 127.0.0.1, <c>_acme-challenge</c> TXT from <see cref="Dns01"/>) as Pebble's resolver, an HTTP-01 responder on
/// Pebble's httpPort and a TLS-ALPN-01 listener on its tlsPort.
/// </summary>
internal sealed class AcmeHarness : IAsyncDisposable
{
    public const string Zone = "burrow.test";
    // Pebble 2.4.0 indexes an ordered name's labels by the blocklist entry's: an entry with more labels than an
    // ordered name panics the request (index out of range), so the entry is kept as short as the zone apex.
    public const string BlockedName = "blocked.test";

    private AcmeHarness(PebbleServer pebble, AuthoritativeDnsServer dns, WebApplication http, TlsAlpnListener tls,
        Http01Challenges http01, TlsAlpn01Challenges tlsAlpn01, Dns01Challenges dns01)
    {
        Pebble = pebble;
        Dns = dns;
        HttpResponder = http;
        TlsListener = tls;
        Http01 = http01;
        TlsAlpn01 = tlsAlpn01;
        Dns01 = dns01;
    }

    public PebbleServer Pebble { get; }

    public AuthoritativeDnsServer Dns { get; }

    public WebApplication HttpResponder { get; }

    public TlsAlpnListener TlsListener { get; }

    public Http01Challenges Http01 { get; }

    public TlsAlpn01Challenges TlsAlpn01 { get; }

    public Dns01Challenges Dns01 { get; }

    public int Http01Requests { get; private set; }

    public static async Task<AcmeHarness> StartAsync(int nonceRejectPercent = 0)
    {
        var http01 = new Http01Challenges();
        var tlsAlpn01 = new TlsAlpn01Challenges();
        var dns01 = new Dns01Challenges(Zone);

        var zone = new TunnelZone { Name = Zone, Addresses = [IPAddress.Loopback] };
        var dnsEndPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.TcpAndUdp());
        var dns = new AuthoritativeDnsServer(dnsEndPoint, new ZoneAnswerer(zone, dns01));
        dns.Start();

        int httpPort = FreePorts.Tcp();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{httpPort}");
        var app = builder.Build();
        AcmeHarness? harness = null;
        app.Run(context =>
        {
            harness!.Http01Requests++;
            if (http01.TryAnswer(context.Request.Path.Value, out string keyAuthorization))
            {
                context.Response.ContentType = "application/octet-stream";
                return context.Response.WriteAsync(keyAuthorization);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var tls = new TlsAlpnListener(tlsAlpn01);

        var pebble = await PebbleServer.StartAsync(httpPort, tls.Port, dnsEndPoint, nonceRejectPercent, [BlockedName]);
        harness = new AcmeHarness(pebble, dns, app, tls, http01, tlsAlpn01, dns01);
        return harness;
    }

    public AcmeClient NewClient(AccountKey? key = null, int maxBadNonceRetries = 5) =>
        new(Pebble.Http, new AcmeClientOptions { Directory = Pebble.DirectoryUrl, MaxBadNonceRetries = maxBadNonceRetries, PollInterval = TimeSpan.FromMilliseconds(200) },
            key ?? AccountKey.Create());

    /// <summary>A client with a new account that agreed to the terms.</summary>
    public async Task<AcmeClient> NewAccountAsync(int maxBadNonceRetries = 5)
    {
        var client = NewClient(maxBadNonceRetries: maxBadNonceRetries);
        await client.CreateAccountAsync(["mailto:ops@burrow.test"], agreeToTerms: true, CancellationToken.None);
        return client;
    }

    /// <summary>Builds the chain of an issued certificate with Pebble's root as the only trust anchor.</summary>
    public async Task<X509ChainStatusFlags> VerifyChainAsync(IssuedCertificate issued, string name)
    {
        using var root = await Pebble.GetRootAsync();
        var chainCertificates = issued.LoadChain();
        using var leaf = chainCertificates[0];
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(chainCertificates);
        bool built = chain.Build(leaf);
        X509ChainStatusFlags flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        Assert.True(built, $"chain did not build: {flags}");
        Assert.True(leaf.MatchesHostname(name), $"{name} is not in the leaf's names");
        return flags;
    }

    public async ValueTask DisposeAsync()
    {
        await Pebble.DisposeAsync();
        await TlsListener.DisposeAsync();
        await HttpResponder.DisposeAsync();
        Dns.Dispose();
    }
}
