using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Ngrok;

/// <summary>
/// The <c>Extra.Token</c> of a Bind answer: what an ngrok client presents, with the bind's Id, when
/// it binds again after a reconnect. It records the tunnel id, the protocol and the hostname (or the
/// URL of a TCP port), signed with a key kept in the edge's data directory, so after an edge restart
/// (when nothing is held in memory) the client gets the same id and URL back, and nobody can claim a
/// name by forging one.
/// </summary>
internal sealed partial class NgrokBindTokens
{
    private const string KeyFile = "ngrok-bind-token.key";
    private const string Version = "b1";
    private readonly byte[] _key;

    private NgrokBindTokens(byte[] key)
    {
        _key = key;
    }

    /// <summary>The record a valid token carries.</summary>
    public sealed record Claim(string TunnelId, string Proto, string Target);

    /// <summary>Loads the key from <paramref name="dataDirectory"/>, creating it on first use; a key only for this process when the directory cannot hold it.</summary>
    public static NgrokBindTokens Load(string dataDirectory, ILogger logger)
    {
        (byte[] key, string? notKept) = Certificates.DataDirectoryKey.LoadOrCreate(dataDirectory, KeyFile);
        if (notKept is not null)
        {
            Log.KeyNotKept(logger, notKept);
        }

        return new NgrokBindTokens(key);
    }

    public string Create(Claim claim)
    {
        string payload = string.Join('\n', Version, claim.TunnelId, claim.Proto, claim.Target);
        byte[] bytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url(bytes) + "." + Base64Url(HMACSHA256.HashData(_key, bytes));
    }

    /// <summary>The claim of a token this edge signed; null for anything else.</summary>
    public Claim? Read(string token)
    {
        int dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || token.Length > 1024)
        {
            return null;
        }

        try
        {
            byte[] payload = Convert.FromBase64String(FromBase64Url(token[..dot]));
            byte[] signature = Convert.FromBase64String(FromBase64Url(token[(dot + 1)..]));
            if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload)))
            {
                return null;
            }

            string[] parts = Encoding.UTF8.GetString(payload).Split('\n');
            return parts is [Version, var id, var proto, var target] ? new Claim(id, proto, target) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1710, EventName = "NgrokTokenKeyNotKept", Level = LogLevel.Warning,
            Message = "Could not keep the ngrok bind-token key in {Reason}; ngrok clients get their URLs back after a reconnect, but not after this edge restarts")]
        public static partial void KeyNotKept(ILogger logger, string reason);
    }
}
