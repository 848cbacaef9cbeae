using System.Globalization;
using System.Text;

namespace Burrow.Protocol.Errors;

/// <summary>
/// One entry of the error catalog: a stable number, a short name, the HTTP status a public client
/// sees (where one applies), a message template and what to do next. Every entry is listed with
/// its cause and fix in <c>docs/errors.md</c>.
/// </summary>
public sealed class ErrorCode
{
    private readonly CompositeFormat _template;

    internal ErrorCode(int number, string name, int? httpStatus, string messageTemplate, string hint)
    {
        Number = number;
        Code = string.Create(CultureInfo.InvariantCulture, $"ERR_BURROW_{number:D4}");
        Name = name;
        HttpStatus = httpStatus;
        MessageTemplate = messageTemplate;
        Hint = hint;
        _template = CompositeFormat.Parse(messageTemplate);
    }

    /// <summary>The number, for example <c>2001</c>. The thousands digit is the area: 1 auth, 2 bind, 3 proxy, 4 protocol, 5 edge, 8 admin.</summary>
    public int Number { get; }

    /// <summary>The code as it appears on the wire and in docs, for example <c>ERR_BURROW_2001</c>.</summary>
    public string Code { get; }

    /// <summary>A short PascalCase name, for example <c>HostnameTaken</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP status that goes with the error when it is answered over HTTP, or <see langword="null"/>.</summary>
    public int? HttpStatus { get; }

    /// <summary>The message, a composite format string whose <c>{0}</c>, <c>{1}</c>... are filled by <see cref="FormatMessage"/>.</summary>
    public string MessageTemplate { get; }

    /// <summary>The number of arguments <see cref="MessageTemplate"/> needs.</summary>
    public int ArgumentCount => _template.MinimumArgumentCount;

    /// <summary>What the user can do about it, in one or two sentences.</summary>
    public string Hint { get; }

    /// <summary>Fills the message template.</summary>
    /// <param name="args">The values for the template's placeholders, formatted with the invariant culture.</param>
    /// <returns>The message.</returns>
    /// <exception cref="FormatException">Fewer arguments than <see cref="ArgumentCount"/> were given.</exception>
    public string FormatMessage(params ReadOnlySpan<object?> args) =>
        string.Format(CultureInfo.InvariantCulture, _template, args);

    /// <summary>Builds the wire <c>error</c> object with this code and the filled template.</summary>
    /// <param name="args">The values for the template's placeholders.</param>
    /// <returns>The error to send.</returns>
    public ProtocolError ToError(params ReadOnlySpan<object?> args) =>
        new() { Code = Code, Message = FormatMessage(args) };

    /// <summary>Builds the wire <c>error</c> object with this code and a message of the caller's.</summary>
    /// <param name="message">The full message.</param>
    /// <returns>The error to send.</returns>
    public ProtocolError WithMessage(string message) => new() { Code = Code, Message = message };

    /// <summary>Whether <paramref name="error"/> carries this code.</summary>
    /// <param name="error">An error received from the peer, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the codes match.</returns>
    public bool Matches(ProtocolError? error) => error is not null && string.Equals(error.Code, Code, StringComparison.Ordinal);

    /// <summary>Returns the code and name, for example <c>ERR_BURROW_2001 (HostnameTaken)</c>.</summary>
    /// <returns>The code and name.</returns>
    public override string ToString() => $"{Code} ({Name})";
}
