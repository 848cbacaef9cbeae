namespace Burrow.Mux.Frames;

/// <summary>The reason carried by a Go Away frame.</summary>
public enum GoAwayCode : uint
{
    /// <summary>Normal termination: the sender accepts no new streams; existing streams go on.</summary>
    Normal = 0,

    /// <summary>The receiver of this code broke the protocol; the session is torn down.</summary>
    ProtocolError = 1,

    /// <summary>The sender failed internally; the session is torn down.</summary>
    InternalError = 2,
}
