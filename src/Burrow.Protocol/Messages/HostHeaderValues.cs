namespace Burrow.Protocol.Messages;

/// <summary>
/// The keywords of <see cref="EndpointOptions.HostHeader"/>; any other value is a literal Host to send.
/// </summary>
public static class HostHeaderValues
{
    /// <summary>Replace Host with the upstream's address (what <c>localhost:8080</c> expects).</summary>
    public const string Rewrite = "rewrite";

    /// <summary>Send the public Host unchanged (the default).</summary>
    public const string Preserve = "preserve";
}
