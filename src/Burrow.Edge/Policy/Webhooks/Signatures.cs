using System.Buffers;
using System.Security.Cryptography;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>What one signature written in a request says against the expected digest.</summary>
internal enum SignatureMatch
{
    Match,
    Mismatch,
    Unreadable,
}

/// <summary>
/// Compares a signature as written (hex or base64) with the expected digest. The written form is decoded
/// into a stack buffer and the bytes compared in constant time, so no expected string is ever built.
/// </summary>
internal static class Signatures
{
    public static SignatureMatch Check(ReadOnlySpan<char> written, SignatureEncoding encoding, ReadOnlySpan<byte> expected)
    {
        Span<byte> decoded = stackalloc byte[HmacAlgorithms.MaxHashSize];
        if (expected.Length > decoded.Length || !TryDecode(written, encoding, decoded[..expected.Length]))
        {
            return SignatureMatch.Unreadable;
        }

        return CryptographicOperations.FixedTimeEquals(decoded[..expected.Length], expected) ? SignatureMatch.Match : SignatureMatch.Mismatch;
    }

    /// <summary>Decodes exactly <c>destination.Length</c> bytes; a different length is unreadable, not a mismatch.</summary>
    public static bool TryDecode(ReadOnlySpan<char> written, SignatureEncoding encoding, Span<byte> destination)
    {
        written = written.Trim();
        if (encoding == SignatureEncoding.Hex)
        {
            return written.Length == destination.Length * 2
                && Convert.FromHexString(written, destination, out _, out var hexWritten) == OperationStatus.Done
                && hexWritten == destination.Length;
        }

        // Base64 of n bytes is 4 * ceil(n / 3) characters; checking first keeps the decode inside the buffer.
        Span<byte> scratch = stackalloc byte[HmacAlgorithms.MaxHashSize + 3];
        return written.Length == (destination.Length + 2) / 3 * 4
            && Convert.TryFromBase64Chars(written, scratch, out var base64Written)
            && base64Written == destination.Length
            && scratch[..base64Written].TryCopyTo(destination);
    }
}
