namespace Burrow.Protocol.Validation;

/// <summary>What the edge does with the Host header of forwarded requests.</summary>
public enum HostHeaderMode
{
    /// <summary>Send the public Host unchanged (the default).</summary>
    Preserve,

    /// <summary>Send the upstream's address as Host.</summary>
    Rewrite,

    /// <summary>Send <see cref="HostHeaderRule.Value"/> as Host.</summary>
    Literal,
}
