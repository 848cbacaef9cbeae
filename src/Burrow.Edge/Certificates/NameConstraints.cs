using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Certificates;

/// <summary>
/// The X.509 Name Constraints extension (RFC 5280 §4.2.1.10) of the local CA: it may sign only for
/// <c>localhost</c>, the edge's domain and the loopback addresses, so that a person who trusts it
/// in a browser trusts nothing else, even if its key leaks. .NET has no builder for it, so it is
/// written here with <see cref="AsnWriter"/>.
/// </summary>
/// <remarks>
/// <code>
/// NameConstraints ::= SEQUENCE {
///      permittedSubtrees       [0]     GeneralSubtrees OPTIONAL,
///      excludedSubtrees        [1]     GeneralSubtrees OPTIONAL }
/// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
/// GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
/// GeneralName: dNSName [2] IA5String, iPAddress [7] OCTET STRING (address then mask)
/// </code>
/// The module uses implicit tags, so each [n] replaces the tag of what it wraps.
/// </remarks>
internal static class NameConstraints
{
    public const string Oid = "2.5.29.30";

    private static readonly Asn1Tag PermittedTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    /// <summary>The ranges a local CA always permits: 127.0.0.0/8 and ::1/128.</summary>
    public static IReadOnlyList<(IPAddress Address, int PrefixLength)> Loopback { get; } =
        [(IPAddress.Parse("127.0.0.0"), 8), (IPAddress.IPv6Loopback, 128)];

    /// <summary>The DNS names a local CA for <paramref name="domain"/> permits.</summary>
    /// <remarks>
    /// A dNSName constraint covers the name and every name below it (RFC 5280); the leading-dot forms
    /// say "below it" in the spelling some verifiers expect, and cost nothing where they are redundant.
    /// </remarks>
    public static IReadOnlyList<string> DnsNamesFor(string domain)
    {
        var names = new List<string> { "localhost", ".localhost" };
        string d = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (d.Length > 0 && d != "localhost" && !d.EndsWith(".localhost", StringComparison.Ordinal))
        {
            names.Add(d);
            names.Add("." + d);
        }

        return names;
    }

    /// <summary>The critical extension for a local CA that serves <paramref name="domain"/>.</summary>
    public static X509Extension ForLocalCa(string domain) => Build(DnsNamesFor(domain), Loopback);

    /// <summary>A critical Name Constraints extension with these permitted subtrees and no excluded ones.</summary>
    public static X509Extension Build(IEnumerable<string> dnsNames, IEnumerable<(IPAddress Address, int PrefixLength)> ranges)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(PermittedTag))
            {
                foreach (string name in dnsNames)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsNameTag);
                    }
                }

                foreach (var (address, prefixLength) in ranges)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteOctetString([.. address.GetAddressBytes(), .. Mask(address.AddressFamily, prefixLength)], IpAddressTag);
                    }
                }
            }
        }

        return new X509Extension(Oid, writer.Encode(), critical: true);
    }

    /// <summary>Reads the permitted DNS names and IP ranges back (excluded subtrees and other name forms are skipped).</summary>
    /// <exception cref="AsnContentException">The extension is not valid DER.</exception>
    public static (List<string> DnsNames, List<(IPAddress Address, int PrefixLength)> Ranges) ReadPermitted(X509Extension extension)
    {
        var dns = new List<string>();
        var ranges = new List<(IPAddress, int)>();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        AsnReader constraints = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        if (!constraints.HasData || !constraints.PeekTag().HasSameClassAndValue(PermittedTag))
        {
            return (dns, ranges);
        }

        AsnReader permitted = constraints.ReadSequence(PermittedTag);
        while (permitted.HasData)
        {
            AsnReader subtree = permitted.ReadSequence();
            Asn1Tag tag = subtree.PeekTag();
            if (tag.HasSameClassAndValue(DnsNameTag))
            {
                dns.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag));
            }
            else if (tag.HasSameClassAndValue(IpAddressTag))
            {
                byte[] octets = subtree.ReadOctetString(IpAddressTag);
                int half = octets.Length / 2;
                ranges.Add((new IPAddress(octets.AsSpan(0, half)), PrefixLength(octets.AsSpan(half))));
            }
        }

        return (dns, ranges);
    }

    private static byte[] Mask(AddressFamily family, int prefixLength)
    {
        byte[] mask = new byte[family == AddressFamily.InterNetworkV6 ? 16 : 4];
        for (int i = 0; i < mask.Length; i++)
        {
            int bits = Math.Clamp(prefixLength - (i * 8), 0, 8);
            mask[i] = (byte)(0xFF << (8 - bits));
        }

        return mask;
    }

    private static int PrefixLength(ReadOnlySpan<byte> mask)
    {
        int bits = 0;
        foreach (byte b in mask)
        {
            bits += System.Numerics.BitOperations.PopCount(b);
        }

        return bits;
    }
}
