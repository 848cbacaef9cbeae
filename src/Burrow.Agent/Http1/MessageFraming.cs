namespace Burrow.Agent.Http1;

/// <summary>RFC 9112 §6.3: how a message's fields frame its body.</summary>
internal static class MessageFraming
{
    /// <summary>
    /// The framing a head declares. Transfer-Encoding wins over Content-Length; a coding that does not end in
    /// chunked frames a response by the close and makes a request unreadable, as does a bad or conflicting Content-Length.
    /// </summary>
    public static (BodyFraming Framing, long Length, string? Error) Of(Http1Head head, bool closeDelimitedAllowed)
    {
        string? lastCoding = null;
        long? length = null;
        foreach (var (name, value) in head.Headers)
        {
            if (string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                ReadOnlySpan<char> codings = value.AsSpan();
                int comma = codings.LastIndexOf(',');
                lastCoding = codings[(comma + 1)..].Trim().ToString();
            }
            else if (string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                // "5, 5" and repeated equal fields are one length (RFC 9110 §8.6); different ones are not.
                foreach (Range range in value.AsSpan().Split(','))
                {
                    ReadOnlySpan<char> digits = value.AsSpan(range).Trim();
                    if (digits.IsEmpty || digits.Length > 18 || digits.ContainsAnyExceptInRange('0', '9'))
                    {
                        return (BodyFraming.None, 0, $"an invalid Content-Length '{value}'");
                    }

                    long parsed = long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
                    if (length is { } earlier && earlier != parsed)
                    {
                        return (BodyFraming.None, 0, "conflicting Content-Length values");
                    }

                    length = parsed;
                }
            }
        }

        if (lastCoding is not null)
        {
            if (lastCoding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return (BodyFraming.Chunked, 0, null);
            }

            return closeDelimitedAllowed
                ? (BodyFraming.UntilClose, 0, null)
                : (BodyFraming.None, 0, $"a request Transfer-Encoding '{lastCoding}' that does not end in chunked");
        }

        return length switch
        {
            > 0 => (BodyFraming.Length, length.Value, null),
            0 => (BodyFraming.None, 0, null),
            _ => closeDelimitedAllowed ? (BodyFraming.UntilClose, 0, null) : (BodyFraming.None, 0, null),
        };
    }
}
