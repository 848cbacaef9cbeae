using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Burrow.Protocol.Validation;

namespace Burrow.Edge.Policy;

/// <summary>Checks an Authorization header against basic-auth credentials: the tunnel's flat option and the basic-auth action share it.</summary>
internal static class BasicAuthCheck
{
    /// <summary>Whether <paramref name="header"/> is <c>Basic</c> credentials matching one of <paramref name="credentials"/>.</summary>
    public static bool Matches(IReadOnlyList<BasicAuthCredential> credentials, string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<char> encoded = header.AsSpan(6).Trim();
        if (encoded.Length > 1024)
        {
            return false;
        }

        byte[] ascii = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            int length = Encoding.ASCII.GetBytes(encoded, ascii);
            if (Base64.DecodeFromUtf8InPlace(ascii.AsSpan(0, length), out int decoded) != OperationStatus.Done)
            {
                return false;
            }

            bool matched = false;
            // Every credential is checked, so timing does not tell which one (or whether any) came close.
            foreach (BasicAuthCredential credential in credentials)
            {
                matched |= credential.Matches(ascii.AsSpan(0, decoded));
            }

            return matched;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(ascii, clearArray: true);
        }
    }
}
