namespace Burrow.Mux.Tests.Properties;

/// <summary>
/// One step of a random interleaving script. <see cref="OnServer"/> picks the role: for
/// <see cref="Action.Open"/> the opener, otherwise which end of the stream acts. <see cref="Stream"/>
/// is taken modulo the streams open so far, so every generated script is runnable.
/// </summary>
public readonly record struct ScriptOp(ScriptOp.Action Kind, bool OnServer, int Stream, int Length)
{
    public enum Action
    {
        Open,
        Write,
        HalfClose,
        Reset,
        Read,
    }

    public override string ToString() => Kind switch
    {
        Action.Open => $"Open({Side})",
        Action.Write or Action.Read => $"{Kind}({Side}#{Stream},{Length})",
        _ => $"{Kind}({Side}#{Stream})",
    };

    private string Side => OnServer ? "S" : "C";
}
