using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Messages;

/// <summary>
/// The values of the <c>type</c> field that tells control messages apart on the wire.
/// </summary>
/// <remarks>
/// These strings are part of the protocol: renaming one is a breaking change. A receiver answers
/// a value it does not know with <c>ERR_BURROW_4003</c>, so a new message type may only be sent
/// to a peer that announced a protocol version which includes it, or the feature that adds it
/// (<see cref="ProtocolFeatures"/>).
/// </remarks>
public static class MessageTypes
{
    /// <summary>Agent → edge: the first message on the control stream.</summary>
    public const string Auth = "auth";

    /// <summary>Edge → agent: the answer to <see cref="Auth"/>.</summary>
    public const string AuthResult = "auth_result";

    /// <summary>Agent → edge: asks for a public endpoint.</summary>
    public const string Bind = "bind";

    /// <summary>Edge → agent: the answer to <see cref="Bind"/>.</summary>
    public const string BindResult = "bind_result";

    /// <summary>Agent → edge: releases a tunnel.</summary>
    public const string Unbind = "unbind";

    /// <summary>Edge → agent: the answer to <see cref="Unbind"/>.</summary>
    public const string UnbindResult = "unbind_result";

    /// <summary>Edge → agent: an unsolicited announcement (draining, eviction, quota).</summary>
    public const string Notice = "notice";

    /// <summary>Edge → agent: the header at the start of every proxy stream.</summary>
    public const string Proxy = "proxy";

    /// <summary>Agent → edge: the answer at the start of every proxy stream (upstream reached, or why not).</summary>
    public const string ProxyResult = "proxy_result";

    /// <summary>
    /// Edge → agent: client connections and requests of an http tunnel; only to an agent that
    /// announced <see cref="ProtocolFeatures.TunnelStats"/>.
    /// </summary>
    public const string TunnelStats = "tunnel_stats";

    /// <summary>Every type this version of the protocol defines.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Auth, AuthResult, Bind, BindResult, Unbind, UnbindResult, Notice, Proxy, ProxyResult, TunnelStats];

    /// <summary>Whether <paramref name="type"/> is a message type this version understands.</summary>
    /// <param name="type">The raw value of the <c>type</c> field.</param>
    /// <returns><see langword="true"/> when the type is defined by this protocol version.</returns>
    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);
}
