using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Validation;

/// <summary>
/// Reads the CA certificates of <see cref="Messages.EndpointOptions.MutualTlsCas"/>: the agent on the file it was given
/// (to fail before it connects), the edge on the text in the bind (which it never trusts).
/// </summary>
public static class MutualTlsAuthorities
{
    /// <summary>
    /// The most PEM text a bind may carry: 32 KiB, about twenty CA certificates, half of a control message's 64 KiB
    /// (<see cref="Codec.ControlCodecOptions.DefaultMaxMessageSize"/>) so the rest of the bind still fits.
    /// </summary>
    public const int MaxPemChars = 32 * 1024;

    /// <summary>Parses <paramref name="pem"/> into the CA certificates it holds.</summary>
    /// <param name="pem">PEM text with one or more <c>CERTIFICATE</c> blocks; other blocks are ignored.</param>
    /// <param name="source">Where the text came from, for the message: a file path, or the bind.</param>
    /// <param name="authorities">The certificates, on success; the caller owns them.</param>
    /// <param name="error">An <c>ERR_BURROW_2012</c> error saying what to fix, on failure.</param>
    /// <returns>Whether the text holds usable CA certificates only.</returns>
    /// <remarks>
    /// A certificate that says it is not a CA (basicConstraints CA:FALSE) is refused: it cannot have issued a client
    /// certificate, and giving a client's own certificate here is the usual mistake. One without basicConstraints (an old
    /// v1 root) is accepted.
    /// </remarks>
    public static bool TryParse(
        string pem, string source, [NotNullWhen(true)] out X509Certificate2Collection? authorities, [NotNullWhen(false)] out ProtocolError? error)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(source);
        authorities = null;
        if (pem.Length > MaxPemChars)
        {
            error = ErrorCodes.MutualTlsCasUnusable.ToError(source, $"it is {pem.Length} characters, more than the {MaxPemChars} a tunnel may send; give only the CAs that issue its client certificates");
            return false;
        }

        var parsed = new X509Certificate2Collection();
        try
        {
            parsed.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            Release(parsed);
            error = ErrorCodes.MutualTlsCasUnusable.ToError(source, $"a certificate in it cannot be read ({ex.Message.Trim().TrimEnd('.')})");
            return false;
        }

        if (parsed.Count == 0)
        {
            error = ErrorCodes.MutualTlsCasUnusable.ToError(source, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            return false;
        }

        foreach (X509Certificate2 certificate in parsed)
        {
            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: false })
            {
                string subject = ErrorText.Clean(certificate.Subject);
                Release(parsed);
                error = ErrorCodes.MutualTlsCasUnusable.ToError(source, $"'{subject}' is not a CA certificate (basicConstraints CA:FALSE); give the CA that issued the client certificates, not a client certificate");
                return false;
            }
        }

        authorities = parsed;
        error = null;
        return true;
    }

    private static void Release(X509Certificate2Collection certificates)
    {
        foreach (X509Certificate2 certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
