namespace Burrow.Edge.Policy.Expressions.Syntax;

/// <summary>
/// Finds the <c>}</c> that closes a <c>${</c>: braces of map literals nest, and string literals (quoted,
/// triple-quoted, raw) are skipped whole so that a <c>}</c> or <c>${</c> inside one changes nothing.
/// </summary>
internal static class TemplateScanner
{
    /// <summary>The index of the closing brace, or -1 when the text ends first.</summary>
    public static int FindClose(string text, int start)
    {
        int depth = 0;
        int i = start;
        while (i < text.Length)
        {
            char c = text[i];
            switch (c)
            {
                case '{':
                    depth++;
                    i++;
                    break;
                case '}' when depth == 0:
                    return i;
                case '}':
                    depth--;
                    i++;
                    break;
                case '\'' or '"':
                    i = SkipString(text, i, IsRaw(text, i));
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                default:
                    i++;
                    break;
            }
        }

        return -1;
    }

    // A raw string has an r among the (at most two) prefix letters right before its quote.
    private static bool IsRaw(string text, int quote)
    {
        for (int p = quote - 1; p >= 0 && p >= quote - 2 && text[p] is 'r' or 'R' or 'b' or 'B'; p--)
        {
            if (text[p] is 'r' or 'R')
            {
                return true;
            }
        }

        return false;
    }

    // The index just past the string literal opening at `quote`, or -1 when it is not closed.
    private static int SkipString(string text, int quote, bool raw)
    {
        char q = text[quote];
        bool triple = quote + 2 < text.Length && text[quote + 1] == q && text[quote + 2] == q;
        int i = quote + (triple ? 3 : 1);
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && !raw)
            {
                i += 2;
                continue;
            }

            if (c == q && (!triple || (i + 2 < text.Length && text[i + 1] == q && text[i + 2] == q)))
            {
                return i + (triple ? 3 : 1);
            }

            i++;
        }

        return -1;
    }
}
