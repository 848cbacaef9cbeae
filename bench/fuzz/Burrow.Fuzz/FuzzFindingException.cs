namespace Burrow.Fuzz;

/// <summary>A target broke one of its own rules (as opposed to an exception the code under test let out).</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
