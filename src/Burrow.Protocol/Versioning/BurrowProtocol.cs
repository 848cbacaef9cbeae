using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Versioning;

/// <summary>
/// The version constants of the Burrow protocol and the rule for accepting a peer's version.
/// </summary>
/// <remarks>
/// Additive changes (a new optional field) need no new version, because receivers ignore
/// fields they do not know. A change a receiver must understand (a new message type, a new
/// required field, a changed meaning) raises <see cref="CurrentVersion"/>. An edge refuses an
/// agent whose version it does not support with <c>ERR_BURROW_1003</c>, in an
/// <see cref="AuthResultMessage"/>, and closes; it never hangs or guesses.
/// </remarks>
public static class BurrowProtocol
{
    /// <summary>The protocol version this build speaks and sends in <see cref="AuthMessage.ProtocolVersion"/>.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The oldest protocol version this build still accepts.</summary>
    public const int MinimumVersion = 1;

    /// <summary>The TLS ALPN protocol id agents offer, which lets an edge share a port with HTTPS.</summary>
    public const string Alpn = "burrow/1";

    /// <summary>Checks the version an agent announced.</summary>
    /// <param name="version">The agent's <see cref="AuthMessage.ProtocolVersion"/>.</param>
    /// <returns><see langword="null"/> when supported, else the <c>ERR_BURROW_1003</c> error to answer with.</returns>
    public static ProtocolError? CheckVersion(int version) =>
        version is >= MinimumVersion and <= CurrentVersion
            ? null
            : ErrorCodes.ProtocolVersionUnsupported.ToError(version, MinimumVersion, CurrentVersion);
}
