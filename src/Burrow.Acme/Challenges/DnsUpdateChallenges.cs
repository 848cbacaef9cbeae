using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Burrow.Acme.Client;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Challenges;

/// <summary>
/// DNS-01 through another DNS server (RFC 8555 section 8.4 over RFC 2136): adds the <c>_acme-challenge.NAME</c> TXT
/// record to the zone on an existing authoritative server with a TSIG-signed UPDATE (RFC 8945), waits until that
/// server answers it, and deletes exactly that record (name, type and value) afterwards, so values of other
/// pending challenges and records someone else put there stay. The message codec, TSIG signing and transports are
/// ARSoft.Tools.Net's.
/// </summary>
internal sealed class DnsUpdateChallenges : IChallengeSolver
{
    // The TSIG fudge (RFC 8945 section 5.2.3): the clock difference the server tolerates; 300 s is the RFC's advice.
    private static readonly TimeSpan Fudge = TimeSpan.FromSeconds(300);

    private readonly DnsUpdateOptions _options;
    private readonly TimeProvider _time;
    private readonly string _zone;

    public DnsUpdateChallenges(DnsUpdateOptions options, TimeProvider? time = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _zone = options.Zone.TrimEnd('.');
    }

    public string ChallengeType => "dns-01";

    /// <summary>Whether <c>_acme-challenge.NAME</c> lies in the zone the updates are for.</summary>
    public bool CanSolve(string name, bool wildcard) =>
        name.Equals(_zone, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + _zone, StringComparison.OrdinalIgnoreCase);

    public async ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        var record = new TxtRecord(DomainName.Parse(Dns01Challenges.RecordName(name)), _options.Ttl, Dns01Challenges.TxtValue(keyAuthorization));
        await UpdateAsync(new AddRecordUpdate(record), cancellationToken).ConfigureAwait(false);
        try
        {
            await WaitUntilVisibleAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The issuer only cleans up what was presented; a record that was added but never showed is taken away here.
            await TryDeleteAsync(record).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        var record = new TxtRecord(DomainName.Parse(Dns01Challenges.RecordName(name)), 0, Dns01Challenges.TxtValue(keyAuthorization));
        await UpdateAsync(new DeleteRecordUpdate(record), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The TXT values the server answers for <paramref name="recordName"/> now, asked without recursion.</summary>
    internal async Task<IReadOnlyList<string>> QueryTxtAsync(string recordName, CancellationToken cancellationToken)
    {
        var name = DomainName.Parse(recordName);
        using var client = await CreateClientAsync(name, cancellationToken).ConfigureAwait(false);
        var options = new DnsQueryOptions { IsRecursionDesired = false, IsEDnsEnabled = true };
        DnsMessage? answer = await client.ResolveAsync(name, RecordType.Txt, RecordClass.INet, options, cancellationToken).ConfigureAwait(false)
            ?? throw Unreachable(name, $"no answer to a TXT query within {_options.QueryTimeout.TotalSeconds:0.#} s");
        return answer.AnswerRecords.OfType<TxtRecord>().Where(r => r.Name.Equals(name, ignoreCase: true)).Select(r => r.TextData).ToList();
    }

    private async Task UpdateAsync(UpdateBase update, CancellationToken cancellationToken)
    {
        DomainName name = update.Name;
        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(_zone), TransactionID = (ushort)RandomNumberGenerator.GetInt32(1, 0x10000) };
        message.Updates.Add(update);
        message.TSigOptions = new TSigRecord(
            _options.Key.DomainName, _options.Key.TSigAlgorithm, _time.GetUtcNow().UtcDateTime, Fudge, message.TransactionID, ReturnCode.NoError, null, _options.Key.Secret);

        using var client = await CreateClientAsync(name, cancellationToken).ConfigureAwait(false);
        DnsUpdateMessage? response = await client.SendUpdateAsync(message, cancellationToken).ConfigureAwait(false)
            ?? throw Unreachable(name, $"no answer to the update within {_options.QueryTimeout.TotalSeconds:0.#} s");
        ReturnCode tsigError = response.TSigOptions?.Error ?? ReturnCode.NoError;
        if (response.ReturnCode != ReturnCode.NoError || tsigError != ReturnCode.NoError)
        {
            string tsig = response.TSigOptions is null ? "none (the answer was not signed)" : Mnemonic(tsigError);
            throw new AcmeException(ErrorCodes.DnsUpdateRefused,
                ErrorCodes.DnsUpdateRefused.FormatMessage(_options.Server, name.ToString(true), Mnemonic(response.ReturnCode), tsig));
        }
    }

    private async Task WaitUntilVisibleAsync(TxtRecord record, CancellationToken cancellationToken)
    {
        string name = record.Name.ToString(true);
        long started = _time.GetTimestamp();
        while (true)
        {
            IReadOnlyList<string> values = await QueryTxtAsync(name, cancellationToken).ConfigureAwait(false);
            if (values.Contains(record.TextData, StringComparer.Ordinal))
            {
                return;
            }

            if (_time.GetElapsedTime(started) + _options.PollInterval > _options.VisibilityTimeout)
            {
                throw Unreachable(record.Name, $"it accepted the update but did not answer the TXT record within {_options.VisibilityTimeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TryDeleteAsync(TxtRecord record)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.QueryTimeout * 2, _time);
            await UpdateAsync(new DeleteRecordUpdate(new TxtRecord(record.Name, 0, record.TextData)), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AcmeException or OperationCanceledException or SocketException)
        {
            // The failure that led here is the one to report; a record left behind expires with its short TTL's zone, not the issuance.
        }
    }

    private async Task<DnsClient> CreateClientAsync(DomainName name, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(_options.Host, out IPAddress? address))
        {
            addresses = [address];
        }
        else
        {
            try
            {
                addresses = await System.Net.Dns.GetHostAddressesAsync(_options.Host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw Unreachable(name, $"its name does not resolve ({ex.Message})");
            }
        }

        // UDP first, TCP when an answer comes back truncated; both on the configured port.
        IClientTransport[] transports = [new UdpClientTransport(_options.Port), new TcpClientTransport(_options.Port)];
        return new DnsClient(addresses, transports, disposeTransport: true, queryTimeout: (int)_options.QueryTimeout.TotalMilliseconds);
    }

    private AcmeException Unreachable(DomainName name, string reason) =>
        new(ErrorCodes.DnsUpdateUnreachable, ErrorCodes.DnsUpdateUnreachable.FormatMessage(_options.Server, name.ToString(true), reason));

    /// <summary>The RCODE's name as RFC 6895 and dig spell it (NOTAUTH, BADSIG, ...).</summary>
    internal static string Mnemonic(ReturnCode code) => code switch
    {
        ReturnCode.NoError => "NOERROR",
        ReturnCode.FormatError => "FORMERR",
        ReturnCode.ServerFailure => "SERVFAIL",
        ReturnCode.NxDomain => "NXDOMAIN",
        ReturnCode.NotImplemented => "NOTIMP",
        ReturnCode.Refused => "REFUSED",
        ReturnCode.YXDomain => "YXDOMAIN",
        ReturnCode.YXRRSet => "YXRRSET",
        ReturnCode.NXRRSet => "NXRRSET",
        ReturnCode.NotAuthoritive => "NOTAUTH",
        ReturnCode.NotZone => "NOTZONE",
        ReturnCode.BadSig => "BADSIG",
        ReturnCode.BadKey => "BADKEY",
        ReturnCode.BadTime => "BADTIME",
        ReturnCode.BadMode => "BADMODE",
        ReturnCode.BadName => "BADNAME",
        ReturnCode.BadAlg => "BADALG",
        ReturnCode.BadTrunc => "BADTRUNC",
        ReturnCode.BadCookie => "BADCOOKIE",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
