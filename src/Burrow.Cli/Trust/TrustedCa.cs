using System.Security.Cryptography.X509Certificates;

namespace Burrow.Cli.Trust;

/// <summary>The CA certificate <c>burrow trust</c> installs, and the names it goes by in each store.</summary>
internal sealed class TrustedCa : IDisposable
{
    private TrustedCa(string path, X509Certificate2 certificate)
    {
        Path = path;
        Certificate = certificate;
        // The CN names the edge domain ("Burrow local CA for localhost"): one entry per domain, which a new CA of that domain replaces.
        Nickname = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } cn ? cn : "Burrow local CA";
        FileName = Slug(Nickname) + ".crt";
    }

    public string Path { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The nickname in NSS databases and the name in keychains and stores.</summary>
    public string Nickname { get; }

    /// <summary>The file name in a Linux anchor directory, for example <c>burrow-local-ca-for-localhost.crt</c>.</summary>
    public string FileName { get; }

    /// <summary>Loads the PEM file, or returns <see langword="null"/> when there is none.</summary>
    public static TrustedCa? TryLoad(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return new TrustedCa(System.IO.Path.GetFullPath(path), X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            problem = ex.Message;
            return null;
        }
    }

    public void Dispose() => Certificate.Dispose();

    private static string Slug(string name)
    {
        var slug = new System.Text.StringBuilder();
        foreach (char c in name.ToLowerInvariant())
        {
            bool keep = char.IsAsciiLetterOrDigit(c) || c == '.';
            if (keep || (slug.Length > 0 && slug[^1] != '-'))
            {
                slug.Append(keep ? c : '-');
            }
        }

        return slug.ToString().Trim('-');
    }
}
