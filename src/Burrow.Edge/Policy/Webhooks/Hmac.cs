using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Edge.Policy.Webhooks;

/// <summary>
/// HMAC over the pieces a scheme signs (<c>v0:</c>, a timestamp, the body...) without joining them into
/// one buffer: one piece goes to the static <c>HashData</c>, several go through an <see cref="IncrementalHash"/>.
/// </summary>
internal static class Hmac
{
    // Header values (timestamps, ids, URLs) are short; longer text is rented rather than stack-allocated.
    private const int StackTextLimit = 256;

    /// <summary>HMAC of <paramref name="data"/>; returns the digest length written to <paramref name="destination"/>.</summary>
    public static int Compute(HmacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination) => algorithm switch
    {
        // SHA-1 is chosen by the providers that sign with it (GitHub's legacy header, Intercom, Twilio), not by us.
#pragma warning disable CA5350
        HmacAlgorithm.Sha1 => HMACSHA1.HashData(key, data, destination),
#pragma warning restore CA5350
        HmacAlgorithm.Sha256 => HMACSHA256.HashData(key, data, destination),
        _ => HMACSHA512.HashData(key, data, destination),
    };

    /// <summary>Starts an HMAC over several pieces.</summary>
    public static IncrementalHash Start(HmacAlgorithm algorithm, ReadOnlySpan<byte> key) =>
        IncrementalHash.CreateHMAC(algorithm.HashName(), key);

    /// <summary>Appends the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static void AppendUtf8(this IncrementalHash hash, ReadOnlySpan<char> text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = length <= StackTextLimit ? stackalloc byte[StackTextLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            hash.AppendData(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
