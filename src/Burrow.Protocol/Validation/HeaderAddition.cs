using System.Diagnostics.CodeAnalysis;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Validation;

/// <summary>One parsed <c>Name:value</c> entry of a <c>*_header_add</c> option.</summary>
public sealed record HeaderAddition
{
    /// <summary>The longest value accepted.</summary>
    public const int MaxValueLength = 8 * 1024;

    /// <summary>The header name, as given (HTTP names are case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>The value, without surrounding spaces or tabs; may be empty.</summary>
    public required string Value { get; init; }

    /// <summary>
    /// Parses <c>Name:value</c>. The first <c>:</c> separates the two; spaces and tabs around the
    /// value are dropped, so <c>X-Env: dev</c> works. The name must be an HTTP token and not a
    /// header the proxies manage; the value must be printable ASCII.
    /// </summary>
    /// <param name="value">The entry.</param>
    /// <param name="addition">The header, when valid.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error naming the entry, when not.</param>
    /// <param name="option">The option name used in the error, for example <c>request_header_add[0]</c>.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryParse(
        string? value,
        [NotNullWhen(true)] out HeaderAddition? addition,
        [NotNullWhen(false)] out ProtocolError? error,
        string option = "header_add")
    {
        addition = null;
        int colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (value is null || colon < 0)
        {
            error = ErrorCodes.InvalidOptionValue.ToError($"{option} {ErrorText.Quote(value)}", "expected Name:value");
            return false;
        }

        string name = value[..colon];
        string headerValue = value[(colon + 1)..].Trim(' ', '\t');
        string? reason =
            HeaderNames.NameProblem(name) is { } nameProblem ? nameProblem
            : headerValue.Length > MaxValueLength ? $"the value is longer than {MaxValueLength} characters"
            : headerValue.Any(static c => c is not ('\t' or (>= ' ' and <= '~'))) ? "the value may contain only printable ASCII characters and tabs"
            : null;
        if (reason is not null)
        {
            error = ErrorCodes.InvalidOptionValue.ToError($"{option} {ErrorText.Quote(value)}", reason);
            return false;
        }

        addition = new HeaderAddition { Name = name, Value = headerValue };
        error = null;
        return true;
    }
}
