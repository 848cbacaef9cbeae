using System.Globalization;
using System.Text;

namespace Burrow.Edge.Policy.Expressions.Syntax;

/// <summary>Splits CEL source into tokens on demand; every refusal names the offending offset.</summary>
internal sealed class Lexer(string source)
{
    // Words CEL keeps for itself: using one as an identifier is an error rather than a surprise later.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    };

    private int _pos;

    public Token Next()
    {
        SkipTrivia();
        if (_pos >= source.Length)
        {
            return new Token(TokenKind.End, _pos, null);
        }

        int start = _pos;
        char c = source[_pos];
        if (IsIdentifierStart(c))
        {
            return StringPrefix() is { } literal ? literal : Word(start);
        }

        if (char.IsAsciiDigit(c))
        {
            return Number(start);
        }

        if (c is '\'' or '"')
        {
            return StringLiteral(start, raw: false, bytes: false);
        }

        _pos++;
        char next = _pos < source.Length ? source[_pos] : '\0';
        TokenKind kind;
        switch (c)
        {
            case '(': kind = TokenKind.LeftParen; break;
            case ')': kind = TokenKind.RightParen; break;
            case '[': kind = TokenKind.LeftBracket; break;
            case ']': kind = TokenKind.RightBracket; break;
            case '{': kind = TokenKind.LeftBrace; break;
            case '}': kind = TokenKind.RightBrace; break;
            case '.': kind = TokenKind.Dot; break;
            case ',': kind = TokenKind.Comma; break;
            case ':': kind = TokenKind.Colon; break;
            case '?': kind = TokenKind.Question; break;
            case '+': kind = TokenKind.Plus; break;
            case '-': kind = TokenKind.Minus; break;
            case '*': kind = TokenKind.Star; break;
            case '/': kind = TokenKind.Slash; break;
            case '%': kind = TokenKind.Percent; break;
            case '!' when next == '=': _pos++; kind = TokenKind.NotEqual; break;
            case '!': kind = TokenKind.Bang; break;
            case '<' when next == '=': _pos++; kind = TokenKind.LessEqual; break;
            case '<': kind = TokenKind.Less; break;
            case '>' when next == '=': _pos++; kind = TokenKind.GreaterEqual; break;
            case '>': kind = TokenKind.Greater; break;
            case '=' when next == '=': _pos++; kind = TokenKind.EqualEqual; break;
            case '&' when next == '&': _pos++; kind = TokenKind.AndAnd; break;
            case '|' when next == '|': _pos++; kind = TokenKind.OrOr; break;
            default: throw Error($"unexpected character '{Printable(c)}'", start);
        }

        return new Token(kind, start, null);
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString();

    private CelCompileException Error(string message, int position) => new(message, position, source);

    private void SkipTrivia()
    {
        while (_pos < source.Length)
        {
            char c = source[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < source.Length && source[_pos + 1] == '/')
            {
                while (_pos < source.Length && source[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    // r'..', b'..', rb'..', br'..' (any case): a prefix of at most one r and one b right before a quote.
    private Token? StringPrefix()
    {
        int p = _pos;
        bool raw = false, bytes = false;
        while (p < source.Length && p - _pos < 2)
        {
            char c = source[p];
            if (c is 'r' or 'R' && !raw)
            {
                raw = true;
            }
            else if (c is 'b' or 'B' && !bytes)
            {
                bytes = true;
            }
            else
            {
                break;
            }

            p++;
        }

        if (p == _pos || p >= source.Length || source[p] is not ('\'' or '"'))
        {
            return null;
        }

        int start = _pos;
        _pos = p;
        return StringLiteral(start, raw, bytes);
    }

    private Token Word(int start)
    {
        while (_pos < source.Length && IsIdentifierPart(source[_pos]))
        {
            _pos++;
        }

        string word = source[start.._pos];
        switch (word)
        {
            case "true": return new Token(TokenKind.True, start, null);
            case "false": return new Token(TokenKind.False, start, null);
            case "null": return new Token(TokenKind.Null, start, null);
            case "in": return new Token(TokenKind.In, start, null);
        }

        if (Reserved.Contains(word))
        {
            throw Error($"'{word}' is a reserved word", start);
        }

        return new Token(TokenKind.Identifier, start, word);
    }

    private Token Number(int start)
    {
        if (source[_pos] == '0' && _pos + 1 < source.Length && source[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            int digits = _pos;
            while (_pos < source.Length && char.IsAsciiHexDigit(source[_pos]))
            {
                _pos++;
            }

            if (!ulong.TryParse(source.AsSpan(digits, _pos - digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hex))
            {
                throw Error("invalid or out of range hexadecimal literal", start);
            }

            return IntegerEnd(start, hex);
        }

        while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
        {
            _pos++;
        }

        bool isDouble = false;
        if (_pos + 1 < source.Length && source[_pos] == '.' && char.IsAsciiDigit(source[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            int e = _pos + 1;
            if (e < source.Length && source[e] is '+' or '-')
            {
                e++;
            }

            if (e < source.Length && char.IsAsciiDigit(source[e]))
            {
                isDouble = true;
                _pos = e;
                while (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
                {
                    _pos++;
                }
            }
        }

        if (isDouble)
        {
            double d = double.Parse(source.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            return new Token(TokenKind.Double, start, d);
        }

        if (!ulong.TryParse(source.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            throw Error("integer literal out of range", start);
        }

        return IntegerEnd(start, value);
    }

    private Token IntegerEnd(int start, ulong magnitude)
    {
        if (_pos < source.Length && source[_pos] is 'u' or 'U')
        {
            _pos++;
            return new Token(TokenKind.Uint, start, magnitude);
        }

        if (_pos < source.Length && IsIdentifierPart(source[_pos]))
        {
            throw Error("invalid number literal", start);
        }

        return new Token(TokenKind.Int, start, magnitude);
    }

    private Token StringLiteral(int start, bool raw, bool bytes)
    {
        char quote = source[_pos];
        bool triple = _pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote;
        _pos += triple ? 3 : 1;
        var text = new StringBuilder();
        List<byte>? octets = bytes ? [] : null;
        while (true)
        {
            if (_pos >= source.Length)
            {
                throw Error("unterminated string literal", start);
            }

            char c = source[_pos];
            if (c == quote && (!triple || (_pos + 2 < source.Length && source[_pos + 1] == quote && source[_pos + 2] == quote)))
            {
                _pos += triple ? 3 : 1;
                break;
            }

            if (!triple && c is '\n' or '\r')
            {
                throw Error("newline in a single-line string literal", _pos);
            }

            if (c == '\\' && !raw)
            {
                Escape(text, octets);
                continue;
            }

            text.Append(c);
            _pos++;
        }

        if (octets is null)
        {
            return new Token(TokenKind.String, start, text.ToString());
        }

        Flush(text, octets);
        return new Token(TokenKind.Bytes, start, octets.ToArray());
    }

    // In a bytes literal, text runs are UTF-8 and \x / octal escapes are raw octets: the pending text is
    // flushed before each raw octet so the two keep their order.
    private static void Flush(StringBuilder text, List<byte> octets)
    {
        if (text.Length > 0)
        {
            octets.AddRange(Encoding.UTF8.GetBytes(text.ToString()));
            text.Clear();
        }
    }

    private void Escape(StringBuilder text, List<byte>? octets)
    {
        int at = _pos;
        _pos++;
        if (_pos >= source.Length)
        {
            throw Error("unterminated escape sequence", at);
        }

        char c = source[_pos++];
        switch (c)
        {
            case 'a': text.Append('\a'); return;
            case 'b': text.Append('\b'); return;
            case 'f': text.Append('\f'); return;
            case 'n': text.Append('\n'); return;
            case 'r': text.Append('\r'); return;
            case 't': text.Append('\t'); return;
            case 'v': text.Append('\v'); return;
            case '\\' or '\'' or '"' or '`' or '?': text.Append(c); return;
            case 'x' or 'X':
                Octet(text, octets, (int)ReadDigits(at, 2, 16));
                return;
            case >= '0' and <= '3':
                _pos--;
                Octet(text, octets, (int)ReadDigits(at, 3, 8));
                return;
            case 'u' or 'U':
                if (octets is not null)
                {
                    throw Error("\\u escapes are not allowed in bytes literals", at);
                }

                // Eight hex digits can exceed int: read as long, so \UFFFFFFFF is refused rather than wrapped.
                long code = ReadDigits(at, c == 'u' ? 4 : 8, 16);
                if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                {
                    throw Error("invalid unicode code point in escape", at);
                }

                text.Append(char.ConvertFromUtf32((int)code));
                return;
            default:
                throw Error($"invalid escape sequence '\\{Printable(c)}'", at);
        }
    }

    private static void Octet(StringBuilder text, List<byte>? octets, int value)
    {
        if (octets is null)
        {
            text.Append((char)value);
            return;
        }

        Flush(text, octets);
        octets.Add((byte)value);
    }

    private long ReadDigits(int at, int count, int radix)
    {
        long value = 0;
        for (int i = 0; i < count; i++)
        {
            int digit = _pos < source.Length ? HexValue(source[_pos]) : -1;
            if (digit < 0 || digit >= radix)
            {
                throw Error("invalid escape sequence", at);
            }

            value = (value * radix) + digit;
            _pos++;
        }

        return value;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
