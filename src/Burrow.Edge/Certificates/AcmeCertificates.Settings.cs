using System.Security.Cryptography;
using Burrow.Acme.Challenges;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Certificates;

/// <summary>The settings check run before anything listens, and the RFC 2136 route's options built from the flags.</summary>
internal sealed partial class AcmeCertificates
{
    /// <summary>
    /// Checks the settings before anything listens: returns the <c>ERR_BURROW_5206</c> (ACME) or <c>ERR_BURROW_5209</c>
    /// (RFC 2136 updates) message, or <see langword="null"/>.
    /// </summary>
    /// <summary>The key kind <see cref="EdgeOptions.AcmeKeyType"/> names, or <see langword="null"/> when it names none.</summary>
    internal static Burrow.Acme.Client.CertificateKeyKind? KeyKindOf(EdgeOptions options) => options.AcmeKeyType.ToLowerInvariant() switch
    {
        "ecdsa" or "ecdsa-p256" or "p256" => Burrow.Acme.Client.CertificateKeyKind.EcdsaP256,
        "rsa2048" or "rsa" => Burrow.Acme.Client.CertificateKeyKind.Rsa2048,
        "rsa3072" => Burrow.Acme.Client.CertificateKeyKind.Rsa3072,
        _ => null,
    };

    public static string? Validate(EdgeOptions options)
    {
        string? Error(string what, string todo) => ErrorCodes.AcmeSettingsInvalid.ToError(what, todo.TrimEnd('.')).ToString();
        if (options.AcmeEmail is null)
        {
            return Error("--acme-dns-update was given without --acme-email", "The updates answer DNS-01 for ACME certificates: give --acme-email too, or drop --acme-dns-update.");
        }

        if (KeyKindOf(options) is null)
        {
            return Error($"--acme-key-type '{options.AcmeKeyType}' is not a key type the edge orders", "Give ecdsa (the default), rsa2048 or rsa3072.");
        }

        if (!string.IsNullOrEmpty(options.TlsCertificatePath))
        {
            return Error("--tls-cert was given too", "Give either --tls-cert/--tls-key (your own certificate) or --acme-email (the edge gets one), not both.");
        }

        if (options.Domain == "localhost" || !options.Domain.Contains('.', StringComparison.Ordinal))
        {
            return Error($"the base domain '{options.Domain}' is not a public DNS name", "Give the domain delegated to this edge, e.g. --domain tunnel.example.com (an NS record for it pointing at this machine).");
        }

        if (!options.AcmeDirectory.IsAbsoluteUri || options.AcmeDirectory.Scheme != Uri.UriSchemeHttps)
        {
            return Error($"--acme-directory '{options.AcmeDirectory}' is not an https URL", "Give the CA's directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory, or 'staging' for Let's Encrypt's staging CA.");
        }

        if (options.AcmeCaRootPath is { } roots)
        {
            try
            {
                if (LoadRoots(roots).Count == 0)
                {
                    return Error($"--acme-ca-root {roots} holds no PEM certificate", "Give a PEM file with the root certificate of the ACME server's HTTPS.");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
            {
                return Error($"--acme-ca-root {roots} cannot be read ({ex.Message})", "Give a readable PEM file with the root certificate of the ACME server's HTTPS.");
            }
        }

        if (options.AcmeDnsUpdate is not null || options.AcmeDnsTsig is not null || options.AcmeDnsTsigFile is not null || options.AcmeDnsZone is not null)
        {
            // The RFC 2136 route: another server answers DNS-01, so the edge's own DNS settings do not matter.
            return TryCreateDnsUpdate(options, out _);
        }

        if (options.DnsEndPoint is null)
        {
            return Error("the DNS server is off (--dns-addr off)", "The certificate for *.DOMAIN is proven with DNS-01 records the edge's own DNS server answers: give --dns-addr host:port (default 0.0.0.0:53), or have another DNS server hold them with --acme-dns-update.");
        }

        if (options.DnsEndPoint.Port == 0)
        {
            return Error("--dns-addr has port 0", "The DNS server needs a fixed port, 53 for a delegated zone (e.g. --dns-addr 0.0.0.0:53).");
        }

        if (options.PublicAddresses.Count == 0 && DetectAddresses(options.DnsEndPoint).Count == 0)
        {
            return Error("no address to answer A/AAAA queries with was found on this machine", "Give the edge's public address with --public-ip (repeatable, IPv4 and IPv6).");
        }

        return null;
    }

    /// <summary>
    /// The RFC 2136 route's options from <c>--acme-dns-update</c>, <c>--acme-dns-zone</c> and the key flags: returns the
    /// <c>ERR_BURROW_5209</c> message, or <see langword="null"/> with <paramref name="update"/> set.
    /// </summary>
    internal static string? TryCreateDnsUpdate(EdgeOptions options, out DnsUpdateOptions update)
    {
        update = null!;
        string Error(string what, string todo) => ErrorCodes.DnsUpdateSettingsInvalid.ToError(what, todo).ToString();
        if (options.AcmeDnsUpdate is not { } server)
        {
            return Error("a TSIG key or zone was given without --acme-dns-update", "Give the DNS server that takes the updates with --acme-dns-update HOST[:PORT], or drop --acme-dns-tsig, --acme-dns-tsig-file and --acme-dns-zone to have the edge answer DNS-01 itself");
        }

        if (!DnsUpdateOptions.TryParseServer(server, out string host, out int port, out string error))
        {
            return error;
        }

        if (options.AcmeDnsTsig is null && options.AcmeDnsTsigFile is null)
        {
            return Error("--acme-dns-update has no TSIG key", "Give the key the server allows to update the zone with --acme-dns-tsig-file FILE (what tsig-keygen printed) or --acme-dns-tsig NAME:ALGORITHM:SECRET");
        }

        if (options.AcmeDnsTsig is not null && options.AcmeDnsTsigFile is not null)
        {
            return Error("both --acme-dns-tsig and --acme-dns-tsig-file were given", "Give the key one way");
        }

        bool parsed = options.AcmeDnsTsig is { } text
            ? TsigKey.TryParse(text, "--acme-dns-tsig", out TsigKey key, out error)
            : TsigKeyFile.TryRead(options.AcmeDnsTsigFile!, out key, out error);
        if (!parsed)
        {
            return error;
        }

        string zone = (options.AcmeDnsZone ?? options.Domain).Trim().TrimEnd('.');
        if (!options.Domain.Equals(zone, StringComparison.OrdinalIgnoreCase) && !options.Domain.EndsWith("." + zone, StringComparison.OrdinalIgnoreCase))
        {
            return Error($"the base domain {options.Domain} is not in the zone {zone} (--acme-dns-zone)", $"Give the zone on the DNS server that holds _acme-challenge.{options.Domain}, e.g. --acme-dns-zone {options.Domain}");
        }

        update = new DnsUpdateOptions { Host = host, Port = port, Zone = zone, Key = key };
        return null;
    }
}
