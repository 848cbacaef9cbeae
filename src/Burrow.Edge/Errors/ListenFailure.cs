using System.Net;
using System.Net.Sockets;
using Burrow.Protocol.Errors;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Errors;

/// <summary>
/// A listener that cannot bind, said once (ERR_BURROW_5011) with the flag that moves it. Kestrel says only
/// "Failed to bind to address http://...", and the generic host logs that with a forty-frame stack trace first.
/// </summary>
internal static class ListenFailure
{
    /// <summary>The category whose "Hosting failed to start" error repeats, with a stack trace, what the edge says in one line.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>A listener the edge configures: what it is for, where, and the flag that moves it.</summary>
    public readonly record struct Listener(string What, IPEndPoint EndPoint, string Flag);

    /// <summary>Keeps the host's own report of a failed start out of the log; faults of running services are critical and still show.</summary>
    public static void QuietHostStartFailures(ILoggingBuilder logging) => logging.AddFilter(HostCategory, LogLevel.Critical);

    /// <summary>The exception to throw for <paramref name="listener"/> failing to bind with <paramref name="cause"/>.</summary>
    public static IOException For(Listener listener, Exception cause)
    {
        string reason = Reason(cause);
        return new IOException(ErrorCodes.ListenAddressUnavailable.ToError(listener.What, listener.EndPoint, listener.Flag, reason).ToString(), cause);
    }

    /// <summary>
    /// Names the listener a failed Kestrel start was about (Kestrel puts the address in its message), or
    /// <see langword="null"/> when the failure was not a bind or names none of <paramref name="listeners"/>.
    /// </summary>
    public static IOException? FromKestrel(Exception failure, IEnumerable<Listener> listeners)
    {
        if (!IsBindFailure(failure))
        {
            return null;
        }

        foreach (Listener listener in listeners)
        {
            // "Failed to bind to address http://127.0.0.1:8080: address already in use." (the colon after the
            // port keeps :80 from matching :8080).
            if (failure.Message.Contains("://" + listener.EndPoint + ":", StringComparison.Ordinal))
            {
                return For(listener, failure);
            }
        }

        return null;
    }

    private static bool IsBindFailure(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException or SocketException)
            {
                return true;
            }
        }

        return false;
    }

    private static string Reason(Exception cause)
    {
        for (Exception? e = cause; e is not null; e = e.InnerException)
        {
            if (e is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return "the address is already in use";
            }

            if (e is SocketException { SocketErrorCode: SocketError.AddressNotAvailable })
            {
                return "the address is not one of this machine's";
            }

            if (e is SocketException { SocketErrorCode: SocketError.AccessDenied })
            {
                return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
            }
        }

        return cause.GetBaseException().Message.TrimEnd('.');
    }
}
