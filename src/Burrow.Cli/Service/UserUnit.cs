using System.Text;

namespace Burrow.Cli.Service;

/// <summary>
/// The systemd user unit <c>burrow service install</c> writes: one agent running <c>burrow start</c> with the config
/// files named in full, restarted when it fails, started with the user's manager (<c>default.target</c>).
/// </summary>
internal static class UserUnit
{
    /// <summary>The first line of every unit burrow writes; uninstall and a second install only touch files that start with it.</summary>
    public const string Marker = "# Written by 'burrow service install'";

    /// <summary>The default unit name (without <c>.service</c>).</summary>
    public const string DefaultName = "burrow-agent";

    /// <summary>Exit status of the agent for a config or usage problem: restarting cannot fix it.</summary>
    private const int UsageExitStatus = 2;

    /// <summary>Where the user's own units live: <c>$XDG_CONFIG_HOME/systemd/user</c>, else <c>~/.config/systemd/user</c>.</summary>
    public static string Directory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        string root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(root, "systemd", "user");
    }

    /// <summary>Whether <paramref name="name"/> can be a unit name: letters, digits, <c>-</c>, <c>_</c> and <c>.</c>.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 200 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !name.StartsWith('.')
        && !name.EndsWith(".service", StringComparison.Ordinal);

    /// <summary>The command that runs this very program: the executable, or <c>dotnet</c> and the entry assembly.</summary>
    public static IReadOnlyList<string> ThisProgram()
    {
        string process = Environment.ProcessPath ?? "burrow";
        string file = Path.GetFileNameWithoutExtension(process);
        if (string.Equals(file, "dotnet", StringComparison.Ordinal))
        {
            // `dotnet burrow.dll` (a build of the repository): the unit runs the same assembly with the same host.
            return [process, Path.Combine(AppContext.BaseDirectory, "burrow.dll")];
        }

        return [process];
    }

    /// <summary>The unit's text.</summary>
    /// <param name="program">The executable (and, for <c>dotnet</c>, the assembly) that runs the agent.</param>
    /// <param name="startArguments">What follows <c>burrow</c>: <c>start</c> with names or <c>--all</c>, and <c>--config</c>.</param>
    /// <param name="version">The burrow version that wrote the unit, for the header comment.</param>
    /// <param name="dotnetRoot">DOTNET_ROOT to pass on (a dotnet tool's shim needs it when .NET is in a private folder), or null.</param>
    public static string Render(IReadOnlyList<string> program, IReadOnlyList<string> startArguments, string version, string? dotnetRoot)
    {
        var text = new StringBuilder();
        text.Append(Marker).Append(" (burrow ").Append(version).Append("); 'burrow service uninstall' removes it.\n");
        text.Append("# The agent runs the endpoints of the config file(s) below. After changing them:\n");
        text.Append("#   systemctl --user restart <unit>; logs: journalctl --user -u <unit>\n");
        text.Append("[Unit]\n");
        string what = string.Join(' ', startArguments.TakeWhile(a => a != "--config")).Replace("%", "%%", StringComparison.Ordinal);
        text.Append("Description=Burrow agent (burrow ").Append(what).Append(")\n");
        text.Append('\n');
        text.Append("[Service]\n");
        text.Append("Type=exec\n");
        if (dotnetRoot is not null)
        {
            text.Append("Environment=").Append(Quote("DOTNET_ROOT=" + dotnetRoot)).Append('\n');
        }

        // Logs go to the journal; the retry is systemd's and the agent's own, so a name that does not resolve yet at boot is no failure.
        IEnumerable<string> command = [.. program, .. startArguments, "--log", "stdout", "--retry", "forever"];
        text.Append("ExecStart=").Append(string.Join(' ', command.Select(Quote))).Append('\n');
        text.Append("Restart=on-failure\n");
        text.Append("RestartSec=5s\n");
        text.Append("# Status ").Append(UsageExitStatus).Append(" is a config or usage problem (ERR_BURROW_7xxx in the journal): fix it rather than retry.\n");
        text.Append("RestartPreventExitStatus=").Append(UsageExitStatus).Append('\n');
        // What a user manager can enforce without privileges (no mount namespaces): no privilege gain, no odd personalities.
        text.Append("NoNewPrivileges=yes\n");
        text.Append("LockPersonality=yes\n");
        text.Append("RestrictRealtime=yes\n");
        text.Append("RestrictSUIDSGID=yes\n");
        text.Append("SystemCallArchitectures=native\n");
        text.Append('\n');
        text.Append("[Install]\n");
        text.Append("WantedBy=default.target\n");
        return text.ToString();
    }

    /// <summary>
    /// One word of a systemd command line: as it is when it is plain, else double-quoted with C escapes. Either way
    /// <c>%</c> (specifiers) and <c>$</c> (variables) are doubled, so the program gets exactly the word.
    /// </summary>
    public static string Quote(string word)
    {
        string escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        bool plain = word.Length > 0 && word != ";" && !word.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '\\');
        if (plain)
        {
            return escaped;
        }

        var quoted = new StringBuilder("\"");
        foreach (char c in escaped)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
