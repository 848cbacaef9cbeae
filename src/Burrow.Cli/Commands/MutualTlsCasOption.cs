using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Commands;

/// <summary><c>--mutual-tls-cas FILE</c>: the client CAs a tunnel accepts, read and checked before the agent connects.</summary>
internal static class MutualTlsCasOption
{
    public static Option<string?> Create(string description) => new("--mutual-tls-cas") { Description = description };

    /// <summary>The PEM text of <paramref name="path"/> to send in the bind, or the <c>ERR_BURROW_2012</c> error saying why it cannot be used.</summary>
    public static (string? Pem, ProtocolError? Error) Read(string? path)
    {
        if (path is null)
        {
            return (null, null);
        }

        string pem;
        try
        {
            var file = new FileInfo(path);
            // Checked before reading, so a wrong path to a large file fails at once.
            if (file.Exists && file.Length > MutualTlsAuthorities.MaxPemChars * 4L)
            {
                return (null, ErrorCodes.MutualTlsCasUnusable.ToError(path, $"it is {file.Length} bytes, more than a tunnel may send; give only the CAs that issue its client certificates"));
            }

            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, ErrorCodes.MutualTlsCasUnusable.ToError(path, ex.Message.Trim().TrimEnd('.')));
        }

        if (!MutualTlsAuthorities.TryParse(pem, path, out X509Certificate2Collection? authorities, out ProtocolError? error))
        {
            return (null, error);
        }

        foreach (X509Certificate2 authority in authorities)
        {
            authority.Dispose();
        }

        return (pem, null);
    }
}
