using System.Security.Cryptography;
using System.Text;

namespace Burrow.Edge.Tests.Policy.Webhooks;

/// <summary>Key pairs made for the tests: SendGrid's secret is its public key, and signing needs the private one.</summary>
internal static class SendGridKeys
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa Other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string PublicKey { get; } = Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo());

    public static string OtherPublicKey { get; } = Convert.ToBase64String(Other.ExportSubjectPublicKeyInfo());

    /// <summary>Signs with the private key of <see cref="PublicKey"/>, or with <paramref name="other"/> that of <see cref="OtherPublicKey"/>.</summary>
    public static string Sign(string signed, bool other = false) =>
        Convert.ToBase64String((other ? Other : Key).SignData(Encoding.UTF8.GetBytes(signed), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
}
