namespace Burrow.Edge.Certificates;

/// <summary>Writes secrets (private keys, tokens) to files only their owner can read, created that way rather than narrowed afterwards.</summary>
internal static class OwnerOnlyFile
{
    public static void WriteAllText(string path, string contents)
    {
        using FileStream stream = Create(path);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> contents)
    {
        using FileStream stream = Create(path);
        stream.Write(contents);
    }

    private static FileStream Create(string path)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
