using Burrow.Protocol.Errors;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// The <c>Error</c> string of an answer to an ngrok client: Burrow's code and message, then a line
/// with ngrok's code for the same refusal where ngrok has one (the SDK turns that line into
/// <c>err.errorCode</c>, so programs written against ngrok's codes keep working). Burrow's catalog hint follows its message.
/// </summary>
internal static class NgrokErrors
{
    public static string Format(ProtocolError error)
    {
        // The catalog's hint says what to do next; the Go agent prints this string as its last words.
        string text = ErrorCodes.Find(error.Code) is { Hint.Length: > 0 } code ? $"{error} {code.Hint}" : error.ToString();
        return NgrokCode(error) is { } ngrok ? $"{text}\n\n{ngrok}" : text;
    }

    /// <summary>ngrok's code for the same situation (its error reference), where there is one.</summary>
    public static string? NgrokCode(ProtocolError error) => error.Code switch
    {
        _ when ErrorCodes.MissingAuthtoken.Matches(error) || ErrorCodes.InvalidAuthtoken.Matches(error) => "ERR_NGROK_105",
        _ when ErrorCodes.AuthtokenRevoked.Matches(error) || ErrorCodes.AuthtokenExpired.Matches(error) => "ERR_NGROK_107",
        _ when ErrorCodes.SessionQuotaReached.Matches(error) => "ERR_NGROK_108",
        _ when ErrorCodes.TooManyTunnels.Matches(error) || ErrorCodes.TunnelQuotaReached.Matches(error) => "ERR_NGROK_324",
        _ when ErrorCodes.HostnameTaken.Matches(error) || ErrorCodes.PoolingNotEnabled.Matches(error) => "ERR_NGROK_334",
        _ => null,
    };
}
