using Burrow.Cli.Trust;

namespace Burrow.Cli.Service;

/// <summary>
/// What <c>burrow service</c> touches outside itself: where it writes, which program the unit runs, and systemctl.
/// The command uses <see cref="OfThisMachine"/>; tests give their own folder, program and systemctl.
/// </summary>
internal sealed class ServiceHost
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>The folder of user units (<see cref="UserUnit.Directory"/>).</summary>
    public required string UnitDirectory { get; init; }

    /// <summary>The program the unit runs (<see cref="UserUnit.ThisProgram"/>).</summary>
    public required IReadOnlyList<string> Program { get; init; }

    /// <summary>Whether this system can have systemd at all (Linux).</summary>
    public required bool IsLinux { get; init; }

    /// <summary>DOTNET_ROOT to hand to the unit, when this process has one.</summary>
    public string? DotnetRoot { get; init; }

    /// <summary>Runs <c>systemctl --user ARGS</c>: its exit code and output; <see langword="null"/> when there is no systemctl.</summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task<(int ExitCode, string Output)>>? Systemctl { get; init; }

    /// <summary>The user's name, for the linger advice.</summary>
    public string UserName { get; init; } = Environment.UserName;

    /// <summary>Whether systemd keeps this user's manager running without a login (<c>loginctl enable-linger</c>).</summary>
    public Func<bool> Lingers { get; init; } = () => false;

    public static ServiceHost OfThisMachine()
    {
        string? systemctl = ExternalCommand.Find("systemctl");
        string user = Environment.UserName;
        return new ServiceHost
        {
            Out = Console.Out,
            Error = Console.Error,
            UnitDirectory = UserUnit.Directory(),
            Program = UserUnit.ThisProgram(),
            IsLinux = OperatingSystem.IsLinux(),
            DotnetRoot = Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? root : null,
            Systemctl = systemctl is null
                ? null
                : (arguments, cancellationToken) => ExternalCommand.RunAsync(systemctl, ["--user", .. arguments], cancellationToken),
            UserName = user,
            Lingers = () => File.Exists(Path.Combine("/var/lib/systemd/linger", user)),
        };
    }
}
