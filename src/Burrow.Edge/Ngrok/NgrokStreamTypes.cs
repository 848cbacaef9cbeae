namespace Burrow.Edge.Ngrok;

/// <summary>
/// The first four bytes (big-endian) of every stream of an ngrok session say what it carries
/// (ngrok's "typed streams" on muxado). The client opens Auth, Bind, Unbind and heartbeats; the
/// edge opens Proxy streams (and may open heartbeats, which clients echo).
/// </summary>
internal static class NgrokStreamTypes
{
    public const uint Auth = 0;
    public const uint Bind = 1;
    public const uint Unbind = 2;
    public const uint Proxy = 3;
    public const uint Heartbeat = 0xFFFFFFFF;
}
