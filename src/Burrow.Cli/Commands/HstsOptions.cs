using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>--hsts</c>, <c>--hsts-max-age</c> and <c>--hsts-include-subdomains</c> of <c>burrow http</c>: the edge adds
/// <c>Strict-Transport-Security</c> to the tunnel's HTTPS responses.
/// </summary>
/// <remarks>
/// The max-age is its own option rather than an optional value of <c>--hsts</c>: an option with an optional value takes
/// the next word, so <c>burrow http --hsts 8080</c> would read the port as a max-age.
/// </remarks>
internal sealed class HstsOptions
{
    private readonly Option<bool> _hsts = new("--hsts")
    {
        Description = "Add Strict-Transport-Security (max-age two years) to the tunnel's HTTPS responses; never on http://.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<long?> _maxAge = new("--hsts-max-age")
    {
        Description = "The HSTS max-age: seconds, or with a unit (30d, 12h, 2y); implies --hsts. 0 makes browsers forget it.",
        CustomParser = Parse,
    };

    private readonly Option<bool> _includeSubdomains = new("--hsts-include-subdomains")
    {
        Description = "With --hsts: the policy covers every name under the tunnel's hostname too (includeSubDomains).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_hsts);
        command.Options.Add(_maxAge);
        command.Options.Add(_includeSubdomains);
    }

    /// <summary>The max-age to send (<see langword="null"/> for no HSTS) and includeSubDomains.</summary>
    public (long? MaxAge, bool IncludeSubdomains) Read(ParseResult parse)
    {
        long? maxAge = parse.GetValue(_maxAge) ?? (parse.GetValue(_hsts) ? StrictTransportSecurity.DefaultMaxAge : null);
        // includeSubDomains alone is passed on, so the edge's check (and the agent's before it) says what is missing.
        return (maxAge, parse.GetValue(_includeSubdomains));
    }

    /// <summary>Seconds (<c>63072000</c>), or a whole number with a unit: <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>y</c> (365 days).</summary>
    public static bool TryParseMaxAge(string text, out long seconds)
    {
        text = text.Trim();
        (string number, long scale) = text switch
        {
            _ when text.EndsWith('s') => (text[..^1], 1L),
            _ when text.EndsWith('m') => (text[..^1], 60L),
            _ when text.EndsWith('h') => (text[..^1], 3600L),
            _ when text.EndsWith('d') => (text[..^1], 86_400L),
            _ when text.EndsWith('y') => (text[..^1], 31_536_000L),
            _ => (text, 1L),
        };
        if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long amount) && amount <= StrictTransportSecurity.MaxMaxAge)
        {
            seconds = amount * scale;
            return seconds <= StrictTransportSecurity.MaxMaxAge;
        }

        seconds = 0;
        return false;
    }

    private static long? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseMaxAge(text, out long seconds))
        {
            return seconds;
        }

        result.AddError($"'{text}' is not an HSTS max-age; use seconds (63072000) or a whole number with a unit (730d, 2y), at most ten years.");
        return null;
    }
}
