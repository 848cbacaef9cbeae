using System.Net;

namespace Burrow.Edge.Admin;

/// <summary>
/// Where the admin API listens, kept in <c>admin-url</c> in the data directory, so that <c>burrow admin --data-dir
/// DIR</c> talks to the edge that owns DIR, wherever its <c>--admin-addr</c> put it, and never sends the API key to
/// whatever else holds the default port.
/// </summary>
public static class AdminAddressFile
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "admin-url";

    /// <summary>The file's path in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>Records the admin listener's bound address as the URL a client on this machine uses.</summary>
    public static void Write(string dataDirectory, IPEndPoint bound)
    {
        // A wildcard address is reached on loopback from this machine.
        IPAddress address = bound.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : bound.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : bound.Address;
        Directory.CreateDirectory(dataDirectory);
        File.WriteAllText(PathIn(dataDirectory), $"http://{new IPEndPoint(address, bound.Port)}\n");
    }

    /// <summary>The URL the edge that owns <paramref name="dataDirectory"/> last recorded, or <see langword="null"/>.</summary>
    public static string? Read(string dataDirectory)
    {
        try
        {
            return File.ReadAllText(PathIn(dataDirectory)).Trim() is { Length: > 0 } url ? url : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
