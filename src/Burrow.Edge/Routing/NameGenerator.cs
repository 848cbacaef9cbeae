using System.Security.Cryptography;

namespace Burrow.Edge.Routing;

/// <summary>
/// Random subdomains that people can read aloud and nobody can guess: two words and eight
/// base-32 characters, e.g. <c>calm-heron-x7k2m9qa</c> (about 52 bits of randomness).
/// </summary>
internal static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "amber", "bold", "brave", "bright", "brisk", "calm", "clever", "cosmic", "crisp", "daring",
        "eager", "fancy", "gentle", "glad", "golden", "grand", "happy", "jolly", "keen", "kind",
        "lively", "lucky", "merry", "mighty", "nimble", "noble", "proud", "quick", "quiet", "rapid",
        "shiny", "silent", "silver", "sleek", "smooth", "snowy", "solar", "steady", "sunny", "swift",
        "tidy", "vivid", "warm", "wise", "witty", "young", "zesty", "misty", "rustic", "polar",
        "lunar", "coral", "azure", "dapper", "fuzzy", "hidden", "humble", "icy", "jade", "mellow",
        "plucky", "rosy", "sage", "tender",
    ];

    private static readonly string[] Nouns =
    [
        "badger", "beaver", "bison", "cobra", "condor", "cougar", "coyote", "crane", "dingo", "dolphin",
        "eagle", "falcon", "ferret", "finch", "fox", "gecko", "heron", "ibis", "jackal", "koala",
        "lemur", "lynx", "marmot", "marten", "mole", "moose", "newt", "ocelot", "orca", "otter",
        "owl", "panda", "parrot", "pelican", "puffin", "quail", "rabbit", "raven", "robin", "salmon",
        "seal", "shrew", "sparrow", "stork", "swan", "tapir", "tiger", "toucan", "trout", "turtle",
        "viper", "vole", "walrus", "weasel", "whale", "wombat", "wren", "yak", "zebra", "bat",
        "hare", "kite", "lark", "mink",
    ];

    private const string Base32 = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string Next() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}-{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}-{RandomNumberGenerator.GetString(Base32, 8)}";

    /// <summary>An opaque id with a prefix, e.g. <c>tun_</c> + 16 base-32 characters.</summary>
    public static string Id(string prefix) => prefix + RandomNumberGenerator.GetString(Base32, 16);
}
