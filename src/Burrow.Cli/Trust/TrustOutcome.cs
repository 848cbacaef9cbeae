namespace Burrow.Cli.Trust;

/// <summary>What one store's step came to: done, or not done with the commands that would do it.</summary>
internal sealed record TrustOutcome(string Store, bool Done, string Said, IReadOnlyList<string> Remedy)
{
    public static TrustOutcome Success(string store, string said) => new(store, true, said, []);

    public static TrustOutcome Left(string store, string said, params IReadOnlyList<string> remedy) => new(store, false, said, remedy);
}
