using System.Globalization;
using System.Net;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Challenges;

/// <summary>
/// Where and how <see cref="DnsUpdateChallenges"/> sends its RFC 2136 updates: the zone's primary server, the zone,
/// the TSIG key, and the bounds of the wait until the record shows. Defaults suit a primary that applies an update
/// at once (BIND, Knot, PowerDNS): the first query after the update normally finds the record.
/// </summary>
internal sealed record DnsUpdateOptions
{
    /// <summary>The server's host name or address (the zone's primary, or any server that accepts updates for it).</summary>
    public required string Host { get; init; }

    /// <summary>The server's port, UDP and TCP. Default 53.</summary>
    public int Port { get; init; } = 53;

    /// <summary>The zone the updates name (RFC 2136 section 2.3), for example <c>example.com</c>; every challenge record must be in it.</summary>
    public required string Zone { get; init; }

    /// <summary>The key that signs every update.</summary>
    public required TsigKey Key { get; init; }

    /// <summary>The TTL of the TXT records added. Default 60 s: short, as they live for a minute.</summary>
    public int Ttl { get; init; } = 60;

    /// <summary>How long one update or query may go unanswered. Default 5 s.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long, after the server accepted an update, the record may take to show in its answers. Default 60 s.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait between two queries for the record. Default 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The server as <c>host:port</c>, for messages.</summary>
    public string Server => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>
    /// Parses <c>HOST[:PORT]</c>, <c>[IPV6]:PORT</c> or a bare IPv6 address (port 53), or says why not as an
    /// <c>ERR_BURROW_5209</c> message.
    /// </summary>
    public static bool TryParseServer(string text, out string host, out int port, out string error)
    {
        host = "";
        port = 53;
        error = "";
        text = text.Trim();
        string? portText = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? text[1..close] : "";
            string rest = close > 0 ? text[(close + 1)..] : "";
            if (close < 0 || !IPAddress.TryParse(host, out _) || (rest.Length > 0 && !rest.StartsWith(':')))
            {
                return Fail(text, out error);
            }

            portText = rest.Length > 0 ? rest[1..] : null;
        }
        else if (text.Count(c => c == ':') > 1)
        {
            // A bare IPv6 address: no port can be told apart from its last group.
            host = text;
            if (!IPAddress.TryParse(host, out _))
            {
                return Fail(text, out error);
            }
        }
        else
        {
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace)
            || (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)))
        {
            return Fail(text, out error);
        }

        return true;
    }

    private static bool Fail(string text, out string error)
    {
        error = ErrorCodes.DnsUpdateSettingsInvalid.ToError(
            $"--acme-dns-update '{text}' is not HOST[:PORT]", "Give the DNS server that accepts updates for the zone, e.g. ns1.example.com:53, 192.0.2.1 or [2001:db8::1]:53").ToString();
        return false;
    }
}
