using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Commands;

/// <summary>
/// The idle timeout and connection limit of tcp/tls tunnels: <c>--idle-timeout</c> and
/// <c>--max-connections</c> on <c>burrow tcp</c> and <c>burrow tls</c> (sent as endpoint options),
/// <c>--tcp-idle-timeout</c> and <c>--tcp-max-connections</c> on <c>burrow server</c> (which cap them).
/// </summary>
internal static class TunnelLimitOptions
{
    public static Option<string?> CreateIdleTimeout() => new("--idle-timeout")
    {
        Description = "Close a connection that carries no byte either way for this long, e.g. 30s or 10m (the edge's --tcp-idle-timeout caps it).",
    };

    public static Option<string?> CreateMaxConnections() => new("--max-connections")
    {
        Description = "Most connections the tunnel carries at once; more are closed at the edge (its --tcp-max-connections caps this).",
    };

    /// <summary>Parses the agent's two flags into endpoint option values, or an <c>ERR_BURROW_2013</c>/<c>2014</c> error.</summary>
    public static (long? IdleTimeoutMs, int? MaxConnections, ProtocolError? Error) Parse(ParseResult parse, Option<string?> idleTimeout, Option<string?> maxConnections)
    {
        long? idleMs = null;
        if (parse.GetValue(idleTimeout) is { } idleText)
        {
            if (!Durations.TryParse(idleText.Trim(), out TimeSpan idle))
            {
                return (null, null, ErrorCodes.InvalidIdleTimeout.ToError(idleText, "expected a positive duration such as 30s, 5m or 2h"));
            }

            ProtocolError? error = idle < TimeSpan.FromMilliseconds(1)
                ? ErrorCodes.InvalidIdleTimeout.ToError(idleText, "it must be at least 1ms")
                : EndpointOptionsValidator.CheckIdleTimeout(idle, idleText);
            if (error is not null)
            {
                return (null, null, error);
            }

            idleMs = (long)idle.TotalMilliseconds;
        }

        int? max = null;
        if (parse.GetValue(maxConnections) is { } maxText)
        {
            if (ParseLimit(maxText) is not { } value)
            {
                return (null, null, ErrorCodes.InvalidMaxConnections.ToError(maxText, "expected a whole number from 1 to 1000000"));
            }

            max = value;
        }

        return (idleMs, max, null);
    }

    /// <summary><c>--tcp-idle-timeout</c>: a duration, or <c>0</c>/<c>off</c> for none.</summary>
    public static TimeSpan ParseEdgeIdleTimeout(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
        if (text is "0" or "off")
        {
            return TimeSpan.Zero;
        }

        ProtocolError? error = Durations.TryParse(text, out TimeSpan value)
            ? EndpointOptionsValidator.CheckIdleTimeout(value, text)
            : ErrorCodes.InvalidIdleTimeout.ToError(text, "expected a duration such as 30s, 5m or 2h, or 0/off for none");
        if (error is not null)
        {
            result.AddError(error.ToString());
        }

        return value;
    }

    /// <summary><c>--tcp-max-connections</c>: a whole number from 1 to 1000000.</summary>
    public static int ParseEdgeMaxConnections(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (ParseLimit(text) is { } value)
        {
            return value;
        }

        result.AddError(ErrorCodes.InvalidMaxConnections.ToError(text, "expected a whole number from 1 to 1000000").ToString());
        return 0;
    }

    private static int? ParseLimit(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && EndpointOptionsValidator.CheckMaxConnections(value) is null
            ? value
            : null;
}
