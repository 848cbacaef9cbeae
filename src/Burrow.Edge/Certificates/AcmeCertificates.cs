using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Dns;
using Burrow.Acme.Jws;
using Burrow.Edge.Errors;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates;

/// <summary>
/// The edge's own certificate for <c>*.DOMAIN</c> and <c>DOMAIN</c> over ACME (<c>--acme-email</c>): runs the
/// authoritative DNS server for the base domain, which answers the DNS-01 challenges (or, with
/// <c>--acme-dns-update</c>, puts them on another DNS server with RFC 2136 updates and runs none), obtains the
/// certificate in the background (or takes the one in the control store, which every edge of a cluster shares),
/// installs it into <see cref="CertificateStore"/> without touching the listeners, and renews it at two thirds of its
/// lifetime, retrying failures with a jittered exponential backoff while the old certificate keeps being served. One
/// edge at a time orders, under a lease in the store; the others pick the stored result up (see docs/acme.md). The
/// account is shared with the on-demand certificates (OnDemand/).
/// </summary>
internal sealed partial class AcmeCertificates : IAsyncDisposable
{
    /// <summary>The key file in the data directory private keys are sealed with in the control store.</summary>
    public const string StoreKeyFile = "store.key";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);

    // Task.Delay takes at most about 49 days; the loop wakes up at least daily and looks again.
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    private readonly EdgeOptions _options;
    private readonly CertificateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dns01Challenges _dns01;
    private readonly DnsUpdateChallenges? _dnsUpdate;
    private readonly string _folder;
    private readonly string[] _names;
    private readonly string _namesText;
    private readonly Func<IControlStore> _controlStore;
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    private int _failures;
    private readonly CancellationTokenSource _stop = new();
    private AuthoritativeDnsServer? _dns;
    private Task? _loop;
    private readonly WakeableSleep _sleep;
    private volatile AcmeStatus _status = new("pending", null, null, null);

    public AcmeCertificates(EdgeOptions options, CertificateStore store, Access.ControlPlane controlPlane, TimeProvider time, ILogger<AcmeCertificates> logger)
        : this(options, store, () => controlPlane.Store ?? throw new InvalidOperationException("ACME certificates need the control store."), time, logger)
    {
    }

    /// <summary>Over a store opened by the caller (tests; several instances on one database act as a cluster's edges).</summary>
    internal AcmeCertificates(EdgeOptions options, CertificateStore store, IControlStore controlStore, TimeProvider time, ILogger<AcmeCertificates> logger)
        : this(options, store, () => controlStore, time, logger)
    {
    }

    private AcmeCertificates(EdgeOptions options, CertificateStore store, Func<IControlStore> controlStore, TimeProvider time, ILogger<AcmeCertificates> logger)
    {
        _controlStore = controlStore;
        _options = options;
        _store = store;
        _time = time;
        _logger = logger;
        // The TXT values go to the control store too: every edge of a cluster is a name server of the zone.
        _sleep = new WakeableSleep(time, LongestSleep);
        _dns01 = new Dns01Challenges(options.Domain, new StoredChallengeAnswers(controlStore, time, logger));
        if (options.AcmeDnsUpdate is not null)
        {
            // Validate ran before the edge was built; a failure here is a caller that skipped it.
            if (TryCreateDnsUpdate(options, out DnsUpdateOptions update) is { } error)
            {
                throw new ArgumentException(error, nameof(options));
            }

            DnsUpdate = update;
            _dnsUpdate = new DnsUpdateChallenges(update, time);
        }

        _folder = Path.Combine(options.DataDirectory, "acme", FolderName(options.AcmeDirectory));
        _names = [$"*.{options.Domain}", options.Domain];
        _namesText = string.Join(", ", _names);
        PublicAddresses = _dnsUpdate is not null ? [] : options.PublicAddresses.Count > 0 ? options.PublicAddresses : DetectAddresses(options.DnsEndPoint);
    }

    /// <summary>Where DNS-01 records go with RFC 2136 updates, when <c>--acme-dns-update</c> is given; then no DNS server runs.</summary>
    public DnsUpdateOptions? DnsUpdate { get; }

    /// <summary>The RFC 2136 route in words (server, zone, key name and algorithm; never the secret), for the banner.</summary>
    public string? DnsUpdateRoute => DnsUpdate is { } u ? $"{u.Server} (zone {u.Zone}) with RFC 2136 updates signed by the TSIG key {u.Key}" : null;

    /// <summary>The addresses the DNS server answers A/AAAA with.</summary>
    public IReadOnlyList<IPAddress> PublicAddresses { get; }

    /// <summary>Where the DNS server listens, once started.</summary>
    public IPEndPoint? DnsEndPoint => _dns?.EndPoint;

    /// <summary>Where an edge before the control store kept the account key and the certificate: imported once from there.</summary>
    public string Folder => _folder;

    /// <summary>The names of the certificate: <c>*.DOMAIN</c> and <c>DOMAIN</c>.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Who this edge process is when it holds the ordering lease.</summary>
    public string Holder => _holder;

    /// <summary>What the certificate is doing, for <c>/healthz</c>.</summary>
    public AcmeStatus Status => _status;

    /// <summary>Binds the DNS server (a bind failure fails the start, naming --dns-addr) and starts the certificate loop.</summary>
    public void Start()
    {
        if (DnsUpdate is { } update)
        {
            LogDnsUpdateRoute(_logger, update.Server, update.Zone, update.Key);
            _loop = Task.Run(() => RunAsync(_stop.Token));
            return;
        }

        IPEndPoint endPoint = _options.DnsEndPoint!;
        var zone = new TunnelZone { Name = _options.Domain, Addresses = PublicAddresses };
        var dns = new AuthoritativeDnsServer(endPoint, new ZoneAnswerer(zone, _dns01));
        try
        {
            dns.Start();
        }
        catch (SocketException ex)
        {
            dns.Dispose();
            throw ListenFailure.For(new ListenFailure.Listener("DNS server", endPoint, "--dns-addr"), ex);
        }

        _dns = dns;
        string addresses = string.Join(", ", PublicAddresses);
        LogDnsStarted(_logger, endPoint, _options.Domain, addresses);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _dns?.Dispose();
        _stop.Dispose();
    }

    internal static X509Certificate2Collection Intermediates(X509Certificate2Collection chain, X509Certificate2 leaf)
    {
        var intermediates = new X509Certificate2Collection();
        foreach (X509Certificate2 cert in chain)
        {
            if (!cert.Thumbprint.Equals(leaf.Thumbprint, StringComparison.OrdinalIgnoreCase))
            {
                intermediates.Add(cert);
            }
        }

        return intermediates;
    }

    /// <summary>Two thirds into the certificate's lifetime: from then on it is renewed (a saved one is served meanwhile, but a new one is ordered at once).</summary>
    internal static DateTimeOffset RenewalTime(X509Certificate2 certificate)
    {
        DateTimeOffset notBefore = certificate.NotBefore.ToUniversalTime(), notAfter = certificate.NotAfter.ToUniversalTime();
        return notBefore + ((notAfter - notBefore) * 2 / 3);
    }

    /// <summary>15 s doubling up to 1 h, each wait between 80% and 120% of that (so a fleet does not retry in step), never before the CA's Retry-After.</summary>
    internal static TimeSpan Backoff(int failures, AcmeException? problem, TimeProvider? time = null)
    {
        double seconds = Math.Min(FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 20)), LongestRetry.TotalSeconds);
        var wait = TimeSpan.FromSeconds(seconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
        if (problem?.RetryAfter is { } after && after - (time ?? TimeProvider.System).GetUtcNow() is { } untilAfter && untilAfter > wait)
        {
            wait = untilAfter;
        }

        return wait;
    }

    internal static HttpClient CreateHttpClient(string? rootsPath)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
        if (rootsPath is not null)
        {
            X509Certificate2Collection roots = LoadRoots(rootsPath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }

                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 presented && chain.Build(presented);
                },
            };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    private static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }

    /// <summary>The DNS listener's own address when it is a specific one, else this machine's global unicast addresses.</summary>
    private static List<IPAddress> DetectAddresses(IPEndPoint? dns)
    {
        if (dns is { } endPoint && !endPoint.Address.Equals(IPAddress.Any) && !endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            return [endPoint.Address];
        }

        var found = new List<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    IPAddress address = unicast.Address;
                    if (!IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal && !address.IsIPv6UniqueLocal)
                    {
                        found.Add(address);
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
        }

        return found;
    }

    /// <summary>One folder per ACME directory: accounts and certificates of one CA are never used with another.</summary>
    private static string FolderName(Uri directory)
    {
        string raw = directory.IsDefaultPort ? directory.Host + directory.AbsolutePath : $"{directory.Host}_{directory.Port}{directory.AbsolutePath}";
        return new string(raw.TrimEnd('/').Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
    }
}
