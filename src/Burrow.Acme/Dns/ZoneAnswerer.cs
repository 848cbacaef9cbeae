using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Burrow.Acme.Challenges;

namespace Burrow.Acme.Dns;

/// <summary>
/// Answers one DNS query for the tunnel zone, as an authoritative server does (RFC 1034 section 4.3.2, minus
/// delegation): A/AAAA for the apex and every name under it, NS and SOA at the apex, TXT at
/// <c>_acme-challenge.NAME</c> while a DNS-01 challenge is pending, NODATA with the SOA for anything else in the
/// zone. Names outside the zone are REFUSED (no recursion), and so are zone transfers. No I/O but the TXT values of a
/// challenge, which come from <see cref="Dns01Challenges"/> (and through it from the cluster's shared answers).
/// <para>
/// ANY (QTYPE 255) is answered as RFC 8482 section 4.1 allows: over UDP with one RRset only (the first of A, AAAA,
/// NS, SOA, TXT the name has), since a spoofed-source ANY over UDP is the classic amplification query and this server
/// listens on a public port 53; over TCP, where the source address is proven, with every RRset of the name, so
/// <c>dig +tcp ANY</c> still shows the whole picture when debugging.
/// </para>
/// </summary>
internal sealed class ZoneAnswerer
{
    private const string ChallengeLabel = "_acme-challenge";
    private readonly TunnelZone _zone;
    private readonly Dns01Challenges _challenges;
    private readonly DomainName _apex;

    public ZoneAnswerer(TunnelZone zone, Dns01Challenges challenges)
    {
        _zone = zone;
        _challenges = challenges;
        _apex = DomainName.Parse(zone.Name);
    }

    /// <param name="query">The query as received.</param>
    /// <param name="overTcp">Whether it came over TCP (only changes the answer to ANY).</param>
    /// <param name="cancellationToken">Ends a lookup of shared challenge answers.</param>
    public async ValueTask<DnsMessage> AnswerAsync(DnsMessage query, bool overTcp = false, CancellationToken cancellationToken = default)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        bool inZone = question.Name.Equals(_apex, ignoreCase: true) || question.Name.IsSubDomainOf(_apex);
        if (!inZone || question.RecordClass is not (RecordClass.INet or RecordClass.Any)
            || question.RecordType is RecordType.Axfr or RecordType.Ixfr)
        {
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }

        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = ReturnCode.NoError;
        IReadOnlyList<string> txt = IsChallenge(question.Name) && question.RecordType is RecordType.Txt or RecordType.Any
            ? await _challenges.TxtValuesAsync(question.Name.ToString(), cancellationToken).ConfigureAwait(false)
            : [];
        AddAnswers(response.AnswerRecords, question.Name, question.RecordType, txt);
        if (question.RecordType == RecordType.Any && !overTcp && response.AnswerRecords.Count > 0)
        {
            RecordType first = response.AnswerRecords[0].RecordType;
            response.AnswerRecords.RemoveAll(r => r.RecordType != first);
        }
        if (response.AnswerRecords.Count == 0)
        {
            // NODATA: the SOA in the authority section tells resolvers how long to cache the absence (RFC 2308).
            response.AuthorityRecords.Add(Soa());
        }

        return response;
    }

    private static bool IsChallenge(DomainName name) => name.LabelCount > 0 && name.Labels[0].Equals(ChallengeLabel, StringComparison.OrdinalIgnoreCase);

    private void AddAnswers(List<DnsRecordBase> answers, DomainName name, RecordType type, IReadOnlyList<string> txt)
    {
        bool apex = name.Equals(_apex, ignoreCase: true);
        bool any = type == RecordType.Any;
        if (IsChallenge(name))
        {
            answers.AddRange(txt.Select(value => new TxtRecord(name, _zone.ChallengeTtl, value)));
            return;
        }

        if (type is RecordType.A || any)
        {
            answers.AddRange(_zone.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => new ARecord(name, _zone.Ttl, a)));
        }

        if (type is RecordType.Aaaa || any)
        {
            answers.AddRange(_zone.Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(a => new AaaaRecord(name, _zone.Ttl, a)));
        }

        if (apex && (type is RecordType.Ns || any))
        {
            answers.AddRange(_zone.EffectiveNameServers.Select(ns => new NsRecord(_apex, _zone.Ttl, DomainName.Parse(ns))));
        }

        if (apex && (type is RecordType.Soa || any))
        {
            answers.Add(Soa());
        }
    }

    private SoaRecord Soa() => new(
        _apex, _zone.ChallengeTtl, DomainName.Parse(_zone.EffectiveNameServers[0]), DomainName.Parse("hostmaster." + _zone.Name),
        serialNumber: 1, refreshInterval: 3600, retryInterval: 600, expireInterval: 604800, negativeCachingTTL: _zone.ChallengeTtl);
}
