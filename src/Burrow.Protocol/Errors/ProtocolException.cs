namespace Burrow.Protocol.Errors;

/// <summary>
/// A violation of the Burrow wire protocol by the peer (or, for <c>ERR_BURROW_4002</c> on write,
/// by the local caller). Carries the catalog entry so that the receiver can tell the peer why the
/// session ends; never carries a raw <see cref="System.Text.Json.JsonException"/> to callers.
/// </summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Creates an exception for a malformed message (<c>ERR_BURROW_4001</c>).</summary>
    public ProtocolException()
        : this(ErrorCodes.MalformedMessage, ErrorCodes.MalformedMessage.FormatMessage("unspecified"))
    {
    }

    /// <summary>Creates an exception for a malformed message (<c>ERR_BURROW_4001</c>) with a message.</summary>
    /// <param name="message">The message.</param>
    public ProtocolException(string message)
        : this(ErrorCodes.MalformedMessage, message)
    {
    }

    /// <summary>Creates an exception for a malformed message (<c>ERR_BURROW_4001</c>) with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProtocolException(string message, Exception innerException)
        : this(ErrorCodes.MalformedMessage, message, innerException)
    {
    }

    /// <summary>Creates an exception for a catalog entry.</summary>
    /// <param name="errorCode">The catalog entry.</param>
    /// <param name="message">The filled message, usually from <see cref="ErrorCode.FormatMessage"/>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ProtocolException(ErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(errorCode);
        ErrorCode = errorCode;
    }

    /// <summary>The catalog entry that names the violation.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>The wire <c>error</c> object to send to the peer before closing.</summary>
    /// <returns>The code and this exception's message.</returns>
    public ProtocolError ToProtocolError() => ErrorCode.WithMessage(Message);

    internal static ProtocolException Malformed(string reason, Exception? innerException = null) =>
        new(ErrorCodes.MalformedMessage, ErrorCodes.MalformedMessage.FormatMessage(reason), innerException);

    internal static ProtocolException Unexpected(string reason) =>
        new(ErrorCodes.UnexpectedMessage, ErrorCodes.UnexpectedMessage.FormatMessage(reason));

    internal static ProtocolException TooLarge(long length, int limit) =>
        new(ErrorCodes.MessageTooLarge, ErrorCodes.MessageTooLarge.FormatMessage(length, limit));
}
