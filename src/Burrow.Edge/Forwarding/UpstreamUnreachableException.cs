using Burrow.Protocol.Errors;

namespace Burrow.Edge.Forwarding;

/// <summary>The agent answered a proxy stream with an error: it could not reach its upstream.</summary>
internal sealed class UpstreamUnreachableException : IOException
{
    public UpstreamUnreachableException(ProtocolError error)
        : base(error.Message)
    {
        Error = error;
    }

    public ProtocolError Error { get; }
}
