using System.Diagnostics.CodeAnalysis;

namespace Burrow.Protocol.Messages;

/// <summary>Describes the agent program in <see cref="AuthMessage"/>; shown to operators, never trusted.</summary>
/// <remarks>A field that is missing or <c>null</c> on the wire reads as empty.</remarks>
public sealed record AgentInfo
{
    /// <summary>The program name, for example <c>burrow</c>.</summary>
    [AllowNull]
    public string Name { get; init => field = value ?? ""; } = "";

    /// <summary>The program version, for example <c>0.1.0</c>.</summary>
    [AllowNull]
    public string Version { get; init => field = value ?? ""; } = "";

    /// <summary>The operating system, for example <c>linux</c>, <c>windows</c> or <c>macos</c>.</summary>
    [AllowNull]
    public string Os { get; init => field = value ?? ""; } = "";
}
