using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Burrow.Acme.Tests.Pebble;

/// <summary>
/// Debian's <c>/usr/bin/pebble</c> on loopback: a config in a temp directory with a TLS certificate made here,
/// the challenge ports given, <c>-dnsserver</c> at the tests' DNS server, and the environment knobs that make
/// it fast (PEBBLE_VA_NOSLEEP) or hostile (PEBBLE_WFE_NONCEREJECT). <see cref="KillAsync"/> and <see cref="RestartAsync"/>
/// take it down and bring it back on the same ports with the same config and TLS certificate (an ACME server that was
/// down; like any Pebble start, the restarted one has a new root and forgets its accounts and orders).
/// </summary>
internal sealed class PebbleServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/pebble";

    // Leaves certificateValidityPeriod out unless a test sets it (Pebble's default then applies).
    private static readonly JsonSerializerOptions ConfigJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly ProcessStartInfo _start;
    private readonly string _directory;
    private readonly StringBuilder _log;
    private Process _process;

    private PebbleServer(ProcessStartInfo start, string directory, StringBuilder log, int acmePort, int managementPort, HttpClient http)
    {
        _start = start;
        _process = Launch(start, log);
        _directory = directory;
        _log = log;
        DirectoryUrl = new Uri($"https://127.0.0.1:{acmePort}/dir");
        ManagementUrl = new Uri($"https://127.0.0.1:{managementPort}/");
        Http = http;
    }

    public Uri DirectoryUrl { get; }

    public Uri ManagementUrl { get; }

    /// <summary>The self-signed certificate Pebble's HTTPS presents (PEM), for clients that trust it by file.</summary>
    public string TlsCertificatePath => Path.Combine(_directory, "cert.pem");

    /// <summary>An HTTP client that trusts Pebble's own TLS certificate (and nothing else).</summary>
    public HttpClient Http { get; }

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>Starts Pebble; <paramref name="certificateValiditySeconds"/> &gt; 0 sets its <c>certificateValidityPeriod</c> (short-lived certificates, for renewal).</summary>
    public static async Task<PebbleServer> StartAsync(int httpPort, int tlsPort, IPEndPoint dns, int nonceRejectPercent, string[] blocklist, int certificateValiditySeconds = 0)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("pebble is not installed: apt-get install pebble (scripts/install-test-deps.sh)");
        }

        string directory = Directory.CreateTempSubdirectory("burrow-pebble-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        // The two listening ports are picked free here and bound by Pebble a moment later; another test project running
        // beside this one can take one in between, and then Pebble exits at start. Such a start is tried again on new ports.
        for (int attempt = 1; ; attempt++)
        {
            int acmePort = FreePorts.Tcp();
            int managementPort = FreePorts.Tcp();
            var config = new
            {
                pebble = new
                {
                    listenAddress = $"127.0.0.1:{acmePort}",
                    managementListenAddress = $"127.0.0.1:{managementPort}",
                    certificate = Path.Combine(directory, "cert.pem"),
                    privateKey = Path.Combine(directory, "key.pem"),
                    httpPort,
                    tlsPort,
                    ocspResponderURL = "",
                    externalAccountBindingRequired = false,
                    domainBlocklist = blocklist,
                    certificateValidityPeriod = certificateValiditySeconds > 0 ? certificateValiditySeconds : (int?)null,
                },
            };
            string configPath = Path.Combine(directory, "pebble-config.json");
            await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config, ConfigJson));

            var start = new ProcessStartInfo(Binary)
            {
                ArgumentList = { "-config", configPath, "-dnsserver", dns.ToString(), "-strict" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["PEBBLE_VA_NOSLEEP"] = "1";
            start.Environment["PEBBLE_AUTHZREUSE"] = "0";
            start.Environment["PEBBLE_WFE_NONCEREJECT"] = nonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var log = new StringBuilder();

            string thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, presented, _, _) =>
                        presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
                },
            };
            var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
            var server = new PebbleServer(start, directory, log, acmePort, managementPort, http);
            if (await server.WaitUntilUpAsync(throwIfExited: attempt == 3))
            {
                return server;
            }

            // Its directory holds the TLS certificate the next attempt uses: only the process and client go.
            server._process.Dispose();
            server.Http.Dispose();
        }
    }

    /// <summary>Kills Pebble (SIGKILL): its ports refuse connections until <see cref="RestartAsync"/>.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Starts Pebble again on the same ports with the same config and TLS certificate; it has a new root.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process.Dispose();
        lock (_log)
        {
            _log.AppendLine("---- restarted ----");
        }

        _process = Launch(_start, _log);
        await WaitUntilUpAsync(throwIfExited: true);
    }

    private static Process Launch(ProcessStartInfo start, StringBuilder log)
    {
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Pebble's root (management <c>/roots/0</c>), the trust anchor of everything it issues.</summary>
    public async Task<X509Certificate2> GetRootAsync() =>
        X509Certificate2.CreateFromPem(await Http.GetStringAsync(new Uri(ManagementUrl, "roots/0")));

    /// <summary>The revocation status Pebble keeps for a serial (management <c>/cert-status-by-serial/</c>).</summary>
    public async Task<string> GetStatusAsync(string serialHex)
    {
        string json = await Http.GetStringAsync(new Uri(ManagementUrl, "cert-status-by-serial/" + serialHex.TrimStart('0').ToLowerInvariant()));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("Status").GetString()!;
    }

    /// <summary>
    /// Waits for Pebble's directory to answer. False when Pebble exited first (a port it was given was taken) and
    /// <paramref name="throwIfExited"/> is off; an answer from another program on its port is not taken for Pebble's.
    /// </summary>
    private async Task<bool> WaitUntilUpAsync(bool throwIfExited = true)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(DirectoryUrl);
                if (response.StatusCode == HttpStatusCode.OK && !_process.HasExited)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited && !throwIfExited)
            {
                return false;
            }

            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException("pebble did not start:\n" + Log);
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
