using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates.OnDemand;

// Event ids 5230-5239, next to the wildcard's 5220-5229 (AcmeCertificates); the names are a contract.
internal sealed partial class OnDemandCertificates
{
    [LoggerMessage(EventId = 5230, EventName = "AcmeHostnameOrdering", Level = LogLevel.Information,
        Message = "ACME: ordering a certificate for {Hostname} from {Directory} ({Challenge})")]
    internal static partial void LogOrdering(ILogger logger, string hostname, Uri directory, string challenge);

    [LoggerMessage(EventId = 5231, EventName = "AcmeHostnameInstalled", Level = LogLevel.Information,
        Message = "ACME certificate installed for {Hostname}, valid until {NotAfter:u}, issued by {Issuer}, via {Challenge} in {Seconds:F1} s")]
    internal static partial void LogInstalled(ILogger logger, string hostname, DateTime notAfter, string issuer, string challenge, double seconds);

    [LoggerMessage(EventId = 5232, EventName = "AcmeHostnameReused", Level = LogLevel.Information,
        Message = "ACME certificate reused from the control store for {Hostname}, valid until {NotAfter:u}, issued by {Issuer}")]
    internal static partial void LogReused(ILogger logger, string hostname, DateTime notAfter, string issuer);

    [LoggerMessage(EventId = 5233, EventName = "AcmeHostnameFailed", Level = LogLevel.Warning,
        Message = "ACME certificate for {Hostname} not obtained: {Reason}; attempt {Failures}, next at {Next:u}; {Meanwhile}")]
    internal static partial void LogFailed(ILogger logger, string hostname, string reason, int failures, DateTimeOffset next, string meanwhile);

    [LoggerMessage(EventId = 5234, EventName = "AcmeHostnameNotReserved", Level = LogLevel.Information,
        Message = "ACME: {Hostname} is not reserved any more; its certificate is no longer renewed or served")]
    internal static partial void LogNotReserved(ILogger logger, string hostname);

    [LoggerMessage(EventId = 5235, EventName = "AcmeHostnameSavedUnusable", Level = LogLevel.Warning,
        Message = "ACME: the saved certificate for {Hostname} cannot be used ({Reason}); ordering a new one")]
    internal static partial void LogSavedUnusable(ILogger logger, string hostname, string reason);

    [LoggerMessage(EventId = 5237, EventName = "AcmeHostnamePickedUp", Level = LogLevel.Information,
        Message = "ACME certificate for {Hostname} renewed by another edge installed from the control store, valid until {NotAfter:u}, issued by {Issuer}")]
    internal static partial void LogPickedUp(ILogger logger, string hostname, DateTime notAfter, string issuer);

    [LoggerMessage(EventId = 5238, EventName = "AcmeHostnameImported", Level = LogLevel.Information,
        Message = "ACME certificate for {Hostname} imported from the data directory into the control store (its files are not read again)")]
    internal static partial void LogImported(ILogger logger, string hostname);

    [LoggerMessage(EventId = 5239, EventName = "AcmeHostnameStoreFailed", Level = LogLevel.Warning,
        Message = "ACME: the control store failed while handling the certificate for {Hostname}: {Reason}")]
    internal static partial void LogStoreFailed(ILogger logger, string hostname, string reason);

    [LoggerMessage(EventId = 5236, EventName = "AcmeHostnameResumeFailed", Level = LogLevel.Warning,
        Message = "ACME: the reserved hostnames could not be listed at start ({Reason}); their certificates are looked after when a tunnel binds them")]
    private static partial void LogResumeFailed(ILogger logger, string reason);
}
