namespace Burrow.Mux.Muxado;

/// <summary>
/// A violation that ends the whole session: the reader stops at once (what follows on the wire
/// cannot be trusted) and the session sends GOAWAY with <see cref="Code"/>. Stream-level faults
/// never throw this; they reset only their stream.
/// </summary>
internal sealed class MuxadoProtocolException(MuxadoErrorCode code, string message) : Exception(message)
{
    public MuxadoErrorCode Code { get; } = code;
}
