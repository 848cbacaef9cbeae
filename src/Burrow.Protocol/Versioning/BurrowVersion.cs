using System.Reflection;

namespace Burrow.Protocol.Versioning;

/// <summary>
/// The version of this build of Burrow, read from the assembly so that it is set in one place
/// (<c>Version</c> in <c>Directory.Build.props</c>) and every place that shows it agrees.
/// </summary>
public static class BurrowVersion
{
    /// <summary>The release number and the commit it was built from, for example <c>0.1.0+4d55793...</c>: what <c>burrow --version</c> prints.</summary>
    public static string Full { get; } =
        typeof(BurrowVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(BurrowVersion).Assembly.GetName().Version?.ToString(3)
        ?? "0.0.0";

    // After Full on purpose: static initializers run in textual order.
    /// <summary>The release number, for example <c>0.1.0</c>: what the console, the agent API, the edge banner and the wire show.</summary>
    public static string Current { get; } = Strip(Full);

    /// <summary>Drops the build metadata (<c>+sha</c>) of a version.</summary>
    /// <param name="version">A semantic version, possibly with build metadata.</param>
    /// <returns>The version without it.</returns>
    public static string Strip(string version)
    {
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
