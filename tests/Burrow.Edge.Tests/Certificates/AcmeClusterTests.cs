using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Burrow.Acme.Tests.Pebble;
using Burrow.Edge.Certificates;
using Burrow.Edge.Tests.Admin;
using Burrow.Storage;
using Burrow.Storage.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Edge.Tests.Certificates;

/// <summary>
/// Two edges of a cluster (two <see cref="AcmeCertificates"/>, each with its own DNS server and certificate store) over
/// one real PostgreSQL database, against Debian's pebble: one order reaches Pebble, its DNS-01 answers are given by
/// both edges, and both serve its certificate.
/// </summary>
[Collection(PostgresGroup.Name)]
public sealed class AcmeClusterTests(PostgresServer postgres) : IDisposable
{
    private const string Domain = "burrow.test";
    private readonly string _dir = Directory.CreateTempSubdirectory("burrow-acme-cluster-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact(Timeout = 120_000)]
    public async Task Two_edges_on_one_database_order_once_after_a_crashed_holders_lease_runs_out_and_serve_the_same_certificate()
    {
        Assert.SkipUnless(File.Exists(PebbleServer.Binary), "pebble is not installed (apt-get install pebble)");
        var dnsA = new IPEndPoint(IPAddress.Loopback, FreePorts.TcpAndUdp());
        var dnsB = new IPEndPoint(IPAddress.Loopback, FreePorts.TcpAndUdp());
        // Pebble sees only what both edges' DNS servers answer: the TXT records of the order one edge placed must come
        // from the other as well (through the acme_challenges rows), as a CA may ask any name server of the zone.
        using var relay = new DnsRelay(dnsA, dnsB) { RequireEveryUpstream = true };
        await using var pebble = await PebbleServer.StartAsync(FreePorts.Tcp(), FreePorts.Tcp(), relay.EndPoint, 0, []);
        string database = await postgres.CreateDatabaseAsync();
        byte[] storeKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        // A holder that crashed while ordering left its lease: nobody orders until it runs out.
        var lease = TimeSpan.FromSeconds(3);
        await using (var crashed = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = _dir }))
        {
            Assert.True(await crashed.TryTakeCertificateLeaseAsync([$"*.{Domain}", Domain], "crashed-edge", lease, TestContext.Current.CancellationToken));
        }

        var clock = Stopwatch.StartNew();
        var edges = new List<(AcmeCertificates Acme, CertificateStore Certificates, IControlStore Store)>();
        try
        {
            foreach (var (name, dns) in new[] { ("a", dnsA), ("b", dnsB) })
            {
                var options = new EdgeOptions
                {
                    Domain = Domain,
                    DataDirectory = Path.Combine(_dir, name),
                    AcmeEmail = "ops@burrow.test",
                    AcmeDirectory = pebble.DirectoryUrl,
                    AcmeCaRootPath = pebble.TlsCertificatePath,
                    DnsEndPoint = dns,
                    AcmePollInterval = TimeSpan.FromMilliseconds(500),
                    AcmeLeaseDuration = lease,
                };
                var certificates = CertificateStore.Create(options, TimeProvider.System);
                IControlStore store = await ControlStore.OpenAsync(new StoreOptions { Database = database, DataDirectory = options.DataDirectory, SealingKey = () => storeKey });
                var acme = new AcmeCertificates(options, certificates, store, TimeProvider.System, NullLogger<AcmeCertificates>.Instance);
                edges.Add((acme, certificates, store));
            }

            foreach (var edge in edges)
            {
                edge.Acme.Start();
            }

            while (edges.Any(e => e.Certificates.AcmeCertificate is null))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no certificate on both edges within 60 s:\n" + pebble.Log);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            Assert.True(clock.Elapsed >= lease - TimeSpan.FromSeconds(1), "an edge ordered before the crashed holder's lease ran out");
            Assert.Equal(1, Regex.Count(pebble.Log, "POST /order-plz"));
            string serial = edges[0].Certificates.AcmeCertificate!.SerialNumber;
            Assert.Equal(serial, edges[1].Certificates.AcmeCertificate!.SerialNumber);
            Assert.Equal(serial, edges[1].Certificates.Select("x." + Domain).TargetCertificate.SerialNumber);
            Assert.Contains("Pebble Intermediate CA", edges[0].Certificates.AcmeCertificate!.Issuer, StringComparison.Ordinal);

            // The store holds it for the next edge to start; one account for the CA.
            StoredCertificate stored = (await edges[0].Store.ListCertificatesAsync(TestContext.Current.CancellationToken)).Single();
            Assert.Equal(serial, stored.Serial);
            Assert.Null(stored.LastError);
            Assert.NotNull((await edges[1].Store.GetAcmeAccountAsync(pebble.DirectoryUrl.ToString(), TestContext.Current.CancellationToken))!.AccountUrl);
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.Acme.DisposeAsync();
                await edge.Store.DisposeAsync();
            }
        }
    }
}
