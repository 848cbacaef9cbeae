using System.Net;
using Burrow.Acme.Challenges;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates;

// Event ids 5220-5229 and 5240-5241 (5230-5239 are the on-demand certificates'); the names are a contract.
internal sealed partial class AcmeCertificates
{
    [LoggerMessage(EventId = 5220, EventName = "AcmeDnsStarted", Level = LogLevel.Information,
        Message = "DNS server for {Zone} listening on {EndPoint} (UDP and TCP), answering A/AAAA with {Addresses} and the DNS-01 challenges")]
    private static partial void LogDnsStarted(ILogger logger, IPEndPoint endPoint, string zone, string addresses);

    [LoggerMessage(EventId = 5221, EventName = "AcmeOrdering", Level = LogLevel.Information,
        Message = "ACME: ordering a certificate for {Names} from {Directory} (DNS-01)")]
    private static partial void LogOrdering(ILogger logger, string names, Uri directory);

    [LoggerMessage(EventId = 5222, EventName = "AcmeCertificateInstalled", Level = LogLevel.Information,
        Message = "ACME certificate installed for {Names}, valid until {NotAfter:u}, issued by {Issuer}, in {Seconds:F1} s")]
    private static partial void LogInstalled(ILogger logger, string names, DateTime notAfter, string issuer, double seconds);

    [LoggerMessage(EventId = 5223, EventName = "AcmeCertificateReused", Level = LogLevel.Information,
        Message = "ACME certificate reused from the control store for {Names}, valid until {NotAfter:u}, issued by {Issuer}")]
    private static partial void LogReused(ILogger logger, string names, DateTime notAfter, string issuer);

    [LoggerMessage(EventId = 5224, EventName = "AcmeCertificateFailed", Level = LogLevel.Warning,
        Message = "ACME certificate for {Names} not obtained: {Reason}; attempt {Failures}, next at {Next:u}; {Meanwhile}")]
    private static partial void LogFailed(ILogger logger, string names, string reason, int failures, DateTimeOffset next, string meanwhile);

    [LoggerMessage(EventId = 5225, EventName = "AcmeSavedCertificateUnusable", Level = LogLevel.Warning,
        Message = "ACME: the certificate or key from {Path} cannot be used ({Reason}); ordering a new one")]
    private static partial void LogSavedUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5226, EventName = "AcmeDnsUpdateRoute", Level = LogLevel.Information,
        Message = "DNS-01 through RFC 2136 updates to {Server} for the zone {Zone}, signed with the TSIG key {Key}; the edge runs no DNS server")]
    private static partial void LogDnsUpdateRoute(ILogger logger, string server, string zone, TsigKey key);

    [LoggerMessage(EventId = 5227, EventName = "AcmeChallengeCleanupFailed", Level = LogLevel.Warning,
        Message = "ACME: the DNS-01 record for {Name} could not be removed: {Reason}; remove _acme-challenge.{Name} TXT by hand if it stays")]
    private static partial void LogCleanupFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 5228, EventName = "AcmeLeaseHeldElsewhere", Level = LogLevel.Debug,
        Message = "ACME: another edge holds the lease to order {Names}; waiting for its result in the control store")]
    private static partial void LogLeaseHeldElsewhere(ILogger logger, string names);

    [LoggerMessage(EventId = 5229, EventName = "AcmeStoreFailed", Level = LogLevel.Warning,
        Message = "ACME: the control store failed while handling the certificate for {Names}: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string names, string reason);

    [LoggerMessage(EventId = 5240, EventName = "AcmeCertificatePickedUp", Level = LogLevel.Information,
        Message = "ACME certificate for {Names} renewed by another edge installed from the control store, valid until {NotAfter:u}, issued by {Issuer}")]
    private static partial void LogPickedUp(ILogger logger, string names, DateTime notAfter, string issuer);

    [LoggerMessage(EventId = 5241, EventName = "AcmeCertificateImported", Level = LogLevel.Information,
        Message = "ACME certificate {Path} imported into the control store for {Names} (the data directory's files are not read again)")]
    private static partial void LogImported(ILogger logger, string path, string names);
}
