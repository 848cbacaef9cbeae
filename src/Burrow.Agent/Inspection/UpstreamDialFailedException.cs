using Burrow.Protocol.Errors;

namespace Burrow.Agent.Inspection;

/// <summary>The forwarder's connect callback could not reach the upstream; carries the error for the 502 answer.</summary>
internal sealed class UpstreamDialFailedException : IOException
{
    public UpstreamDialFailedException(ProtocolError error)
        : base(error.Message)
    {
        Error = error;
    }

    public UpstreamDialFailedException()
        : this(new ProtocolError { Code = ErrorCodes.UpstreamUnreachable.Code, Message = "the upstream could not be reached" })
    {
    }

    public UpstreamDialFailedException(string message)
        : this(new ProtocolError { Code = ErrorCodes.UpstreamUnreachable.Code, Message = message })
    {
    }

    public UpstreamDialFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new ProtocolError { Code = ErrorCodes.UpstreamUnreachable.Code, Message = message };
    }

    public ProtocolError Error { get; }
}
