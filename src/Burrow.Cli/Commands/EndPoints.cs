using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;

namespace Burrow.Cli.Commands;

/// <summary>Parses listen addresses: <c>0.0.0.0:8443</c>, <c>[::]:8443</c>, <c>:8443</c> (all interfaces), or <c>off</c>.</summary>
internal static class EndPoints
{
    /// <summary>
    /// What <see cref="Parse"/> gives for <c>off</c>. A custom parser's null is taken by System.CommandLine as "no value"
    /// and the token is then cast to the option's type, which throws; so <c>off</c> is this marker, read with <see cref="Read"/>.
    /// </summary>
    private static readonly IPEndPoint Off = new(IPAddress.None, 0);

    public static IPEndPoint? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text is "off" or "false" or "none")
        {
            return Off;
        }

        if (text.StartsWith(':') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int anyPort) && anyPort <= 65535)
        {
            return new IPEndPoint(IPAddress.Any, anyPort);
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bare) && bare <= 65535)
        {
            return new IPEndPoint(IPAddress.Any, bare);
        }

        if (IPEndPoint.TryParse(text, out IPEndPoint? endPoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(10), NumberStyles.None, CultureInfo.InvariantCulture, out int local))
        {
            return new IPEndPoint(IPAddress.Loopback, local);
        }

        result.AddError($"'{text}' is not a listen address; use for example 0.0.0.0:8443, 127.0.0.1:8443, :8443 or off.");
        return null;
    }

    /// <summary>The address an option was given, or <see langword="null"/> for <c>off</c>.</summary>
    public static IPEndPoint? Read(IPEndPoint? parsed) => ReferenceEquals(parsed, Off) ? null : parsed;
}
