using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Acme.Challenges;

/// <summary>
/// DNS-01 (RFC 8555 section 8.4): the TXT records <c>_acme-challenge.NAME</c> the edge's own DNS server answers
/// while a challenge is pending. A name may hold several values at once: an order for <c>*.DOMAIN</c> and
/// <c>DOMAIN</c> has two authorizations that both look at <c>_acme-challenge.DOMAIN</c>. Only names in the
/// edge's zone can be solved, since only those are answered. With a <see cref="IChallengeShare"/>, values are published
/// to it, and the DNS server answers the values every edge of the cluster published: the zone's NS records name them all.
/// </summary>
internal sealed class Dns01Challenges : IChallengeSolver
{
    private const string Type = "dns-01";

    private readonly ConcurrentDictionary<string, ImmutableList<string>> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _zone;
    private readonly IChallengeShare? _share;

    /// <param name="zone">The zone the edge's DNS server is authoritative for, for example <c>tunnels.example.com</c>.</param>
    /// <param name="share">Where the cluster's edges share pending answers, if it is one.</param>
    public Dns01Challenges(string zone, IChallengeShare? share = null)
    {
        _zone = zone.TrimEnd('.');
        _share = share;
    }

    public string ChallengeType => Type;

    public bool CanSolve(string name, bool wildcard) =>
        name.Equals(_zone, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + _zone, StringComparison.OrdinalIgnoreCase);

    /// <summary>The TXT values for <paramref name="name"/> (a fully qualified name, trailing dot or not).</summary>
    public IReadOnlyList<string> TxtValues(string name) =>
        _records.TryGetValue(name.TrimEnd('.'), out var values) ? values : [];

    /// <summary>The TXT values for <paramref name="name"/>: this edge's and those other edges of the cluster published.</summary>
    public async ValueTask<IReadOnlyList<string>> TxtValuesAsync(string name, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> here = TxtValues(name);
        if (_share is null)
        {
            return here;
        }

        IReadOnlyList<string> published = await _share.FindAsync(Type, name.TrimEnd('.'), cancellationToken).ConfigureAwait(false);
        return published.Count == 0 ? here : [.. here.Union(published.Select(TxtValue), StringComparer.Ordinal)];
    }

    /// <summary>base64url(SHA-256(key authorization)): the TXT value the CA expects.</summary>
    public static string TxtValue(string keyAuthorization) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)));

    public static string RecordName(string name) => "_acme-challenge." + name.TrimEnd('.');

    public async ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        string value = TxtValue(keyAuthorization);
        _records.AddOrUpdate(RecordName(name), _ => [value], (_, list) => list.Contains(value) ? list : list.Add(value));
        if (_share is not null)
        {
            // The share keeps the key authorization; every edge derives the same TXT value from it.
            await _share.PublishAsync(Type, RecordName(name), keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        string record = RecordName(name);
        string value = TxtValue(keyAuthorization);
        while (_records.TryGetValue(record, out var list))
        {
            var rest = list.Remove(value);
            if (rest.IsEmpty ? _records.TryRemove(new KeyValuePair<string, ImmutableList<string>>(record, list)) : _records.TryUpdate(record, rest, list))
            {
                break;
            }
        }

        if (_share is not null)
        {
            await _share.WithdrawAsync(Type, record, keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }
}
