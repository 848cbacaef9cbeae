namespace Burrow.Edge.Policy.Expressions.Syntax;

/// <summary>
/// One token: <see cref="Value"/> holds an identifier's name, a string's text, a bytes literal's bytes,
/// a double, or an integer's magnitude as <see cref="ulong"/> (the sign is the parser's business, so
/// that <c>-9223372036854775808</c> is representable).
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Position, object? Value);
