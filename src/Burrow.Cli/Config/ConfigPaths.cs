namespace Burrow.Cli.Config;

/// <summary>
/// Where the config lives: the files of <c>--config</c> (comma-separated), else of <c>BURROW_CONFIG</c>, else the
/// platform's default, <c>$XDG_CONFIG_HOME/burrow/burrow.yml</c> (<c>~/.config/burrow/burrow.yml</c>) on Linux.
/// </summary>
internal static class ConfigPaths
{
    public const string FileName = "burrow.yml";

    /// <summary>The files to read and whether the user named them (then a missing one is an error).</summary>
    public static (IReadOnlyList<string> Paths, bool Explicit) Resolve(string? flag)
    {
        string? given = !string.IsNullOrWhiteSpace(flag) ? flag
            : Environment.GetEnvironmentVariable("BURROW_CONFIG") is { Length: > 0 } env ? env : null;
        if (given is null)
        {
            return ([DefaultPath()], false);
        }

        string[] paths = given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return ([.. paths.Select(Path.GetFullPath)], true);
    }

    /// <summary>The default config file of this user on this platform.</summary>
    public static string DefaultPath()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "burrow", FileName);
        }

        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Application Support", "burrow", FileName);
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
        string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".config");
        return Path.Combine(root, "burrow", FileName);
    }
}
