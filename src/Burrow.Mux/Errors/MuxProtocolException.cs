using Burrow.Mux.Frames;

namespace Burrow.Mux.Errors;

/// <summary>
/// A violation of the yamux protocol by the peer. Its blast radius is the whole session: the
/// session sends Go Away with <see cref="Code"/> and ends.
/// </summary>
public sealed class MuxProtocolException : MuxException
{
    /// <summary>Creates a protocol violation to be answered with <paramref name="code"/>.</summary>
    public MuxProtocolException(GoAwayCode code, string message)
        : base(MuxError.ProtocolError, message)
    {
        Code = code;
    }

    /// <summary>The Go Away code the session sends because of this violation.</summary>
    public GoAwayCode Code { get; }
}
