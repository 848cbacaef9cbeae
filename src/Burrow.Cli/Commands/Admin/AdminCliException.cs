using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands.Admin;

/// <summary>A failure of <c>burrow admin</c>, printed as its code and message.</summary>
internal sealed class AdminCliException : Exception
{
    public AdminCliException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public AdminCliException(ErrorCode code, string message, Exception? innerException = null)
        : this(code.Code, message, innerException)
    {
    }

    public AdminCliException()
        : this(ErrorCodes.AdminUnreachable, "The admin API failed.")
    {
    }

    public AdminCliException(string message)
        : this(ErrorCodes.AdminUnreachable, message)
    {
    }

    public AdminCliException(string message, Exception innerException)
        : this(ErrorCodes.AdminUnreachable, message, innerException)
    {
    }

    public string Code { get; }
}
