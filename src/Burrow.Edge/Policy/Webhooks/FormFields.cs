namespace Burrow.Edge.Policy.Webhooks;

/// <summary>Finds one field of an <c>application/x-www-form-urlencoded</c> body and decodes it into a caller's buffer, allocating nothing.</summary>
internal static class FormFields
{
    /// <returns>False when the field is absent, badly escaped, or longer than <paramref name="destination"/>.</returns>
    public static bool TryGet(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name, Span<byte> destination, out int written)
    {
        written = 0;
        foreach (var range in body.Split((byte)'&'))
        {
            var pair = body[range];
            var equals = pair.IndexOf((byte)'=');
            if (equals >= 0 && pair[..equals].SequenceEqual(name))
            {
                return TryDecode(pair[(equals + 1)..], destination, out written);
            }
        }

        return false;
    }

    private static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            if (written == destination.Length)
            {
                return false;
            }

            var b = encoded[i];
            if (b == (byte)'+')
            {
                b = (byte)' ';
            }
            else if (b == (byte)'%')
            {
                if (i + 2 >= encoded.Length)
                {
                    return false;
                }

                var high = HexValue(encoded[i + 1]);
                var low = HexValue(encoded[i + 2]);
                if (high < 0 || low < 0)
                {
                    return false;
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }

            destination[written++] = b;
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
