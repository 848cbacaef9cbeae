using Burrow.Protocol.Errors;

namespace Burrow.Agent;

/// <summary>
/// A tunnel could not be opened or was lost for good: the edge refused it (a bad authtoken, a taken name, a quota),
/// or it never came online. <see cref="Code"/> is the stable <c>ERR_BURROW_nnnn</c> code to match on.
/// </summary>
public sealed class BurrowException : Exception
{
    /// <summary>Creates the exception for an error the agent met.</summary>
    /// <param name="error">The error, with its code.</param>
    public BurrowException(ProtocolError error)
        : base(Describe(error))
    {
        Error = error;
    }

    /// <summary>Creates an exception with a message only (code <c>ERR_BURROW_1010</c>).</summary>
    public BurrowException()
        : this(ErrorCodes.TunnelNotOnline.ToError("the edge", "the time allowed", "nothing was heard"))
    {
    }

    /// <summary>Creates an exception with a message (code <c>ERR_BURROW_1010</c>).</summary>
    /// <param name="message">What happened.</param>
    public BurrowException(string message)
        : base(message)
    {
        Error = new ProtocolError { Code = ErrorCodes.TunnelNotOnline.Code, Message = message };
    }

    /// <summary>Creates an exception with a message and its cause (code <c>ERR_BURROW_1010</c>).</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">Why.</param>
    public BurrowException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new ProtocolError { Code = ErrorCodes.TunnelNotOnline.Code, Message = message };
    }

    /// <summary>The error as the agent reported it.</summary>
    public ProtocolError Error { get; }

    /// <summary>The stable error code, e.g. <c>ERR_BURROW_1002</c>; see docs/errors.md.</summary>
    public string Code => Error.Code;

    // "ERR_BURROW_1002: The authtoken is not valid. Check that ..." — the catalog's hint says what to do next.
    private static string Describe(ProtocolError error) =>
        error.Lookup()?.Hint is { Length: > 0 } hint ? $"{error} {hint}" : error.ToString();
}
