using Burrow.Protocol.Errors;

namespace Burrow.Cli.Config;

/// <summary>Reads and merges the config files; every problem of every file is collected, not only the first.</summary>
internal static class ConfigLoader
{
    /// <summary>Loads <paramref name="paths"/>; a missing file is an error only when the user named it.</summary>
    public static BurrowConfig Load(IReadOnlyList<string> paths, bool explicitPaths, List<ConfigProblem> problems)
    {
        var files = new List<ConfigFile>();
        foreach (string path in paths)
        {
            if (Read(path, explicitPaths, problems) is { } text)
            {
                files.Add(new ConfigParser(path, problems).Parse(text));
            }
        }

        return BurrowConfig.Merge(files);
    }

    /// <summary>The file's text; <see langword="null"/> when it is absent (a problem if <paramref name="mustExist"/>) or unreadable.</summary>
    public static string? Read(string path, bool mustExist, List<ConfigProblem> problems)
    {
        try
        {
            if (Directory.Exists(path))
            {
                problems.Add(ConfigProblem.Of(ErrorCodes.ConfigFileUnreadable, path, "it is a directory"));
                return null;
            }

            if (!File.Exists(path))
            {
                if (mustExist)
                {
                    problems.Add(ConfigProblem.Of(ErrorCodes.ConfigFileNotFound, path));
                }

                return null;
            }

            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(ConfigProblem.Of(ErrorCodes.ConfigFileUnreadable, path, ex.Message.TrimEnd('.')));
            return null;
        }
    }
}
