using System.CommandLine;
using Burrow.Cli.Trust;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>burrow trust</c>: makes this machine's browsers and programs trust an edge's local CA, so
/// that <c>https://NAME.localhost</c> opens without a certificate warning; <c>--uninstall</c> undoes it.
/// </summary>
/// <remarks>
/// It says what it did, what it could not do, and the command for the rest: a step that could not be
/// done is never passed over in silence, and it makes the exit code non-zero.
/// </remarks>
internal static class TrustCommand
{
    private static readonly string[] StoreKinds = ["nss", "system"];

    public static Command Create()
    {
        var ca = new Option<string?>("--ca") { Description = "The CA certificate (PEM) to trust; default: the CA of the local edge the agent starts without --server." };
        var dataDir = new Option<string?>("--data-dir") { Description = "An edge's data directory (burrow server --data-dir): trust its ca.pem." };
        var uninstall = new Option<bool>("--uninstall") { Description = "Remove the CA from the stores instead." };
        var print = new Option<bool>("--print") { Description = "Print the steps for each system and browser, and change nothing." };
        var stores = new Option<string[]>("--stores")
        {
            Description = "Which stores to change: nss (Chromium, Chrome and Firefox databases), system (the system store or keychain), or both (default).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => StoreKinds,
        };
        stores.AcceptOnlyFromAmong([.. StoreKinds]);

        var command = new Command("trust", "Make browsers and programs on this machine trust the local edge's CA (HTTPS without warnings).")
        {
            ca, dataDir, uninstall, print, stores,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? caFile = parse.GetValue(ca);
            string? dir = parse.GetValue(dataDir);
            if (caFile is not null && dir is not null)
            {
                return Fail(ErrorCodes.ConflictingOptions.ToError("--ca", "--data-dir", "both name the CA; give the file, or the edge's data directory"));
            }

            // ca.pem is the name every edge gives its local CA in its data directory.
            string path = caFile ?? Path.Combine(dir ?? LocalEdgePaths.DataDirectory(), "ca.pem");
            using TrustedCa? loaded = TrustedCa.TryLoad(path, out string? problem);
            if (loaded is null)
            {
                return Fail(problem is null
                    ? ErrorCodes.LocalCaNotFound.ToError(Path.GetFullPath(path))
                    : ErrorCodes.LocalCaNotFound.WithMessage($"The local CA {Path.GetFullPath(path)} cannot be read: {problem}."));
            }

            bool removing = parse.GetValue(uninstall);
            if (parse.GetValue(print))
            {
                Console.Write(TrustGuide.For(loaded.Path, loaded.Nickname, loaded.FileName, removing));
                return 0;
            }

            HashSet<string> kinds = [.. parse.GetValue(stores)!];
            Console.WriteLine($"Local CA {loaded.Path} ('{loaded.Nickname}', valid until {loaded.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})");
            var left = new List<string>();
            foreach (TrustStore store in StoresOfThisMachine().Where(s => kinds.Contains(s.Kind)))
            {
                TrustOutcome outcome = removing
                    ? await store.UninstallAsync(loaded, cancellationToken).ConfigureAwait(false)
                    : await store.InstallAsync(loaded, cancellationToken).ConfigureAwait(false);
                Console.WriteLine($"  {(outcome.Done ? "done" : "NOT DONE")}  {outcome.Store}: {outcome.Said}");
                if (!outcome.Done)
                {
                    left.Add(outcome.Store);
                    Console.WriteLine("          to do it yourself:");
                    foreach (string line in outcome.Remedy)
                    {
                        Console.WriteLine($"            {line}");
                    }
                }
            }

            if (left.Count > 0)
            {
                ProtocolError error = ErrorCodes.TrustIncomplete.ToError(loaded.Path, string.Join("; ", left));
                Console.Error.WriteLine(error);
                Console.Error.WriteLine($"  {ErrorCodes.TrustIncomplete.Hint}");
                return 1;
            }

            Console.WriteLine(removing
                ? "The CA is no longer trusted by the stores above. Restart the browser to forget it."
                : "Restart the browser; then https://NAME.localhost opens without a warning. 'burrow trust --print' lists the steps for other systems.");
            return 0;
        });
        return command;
    }

    /// <summary>The stores of this system and user, in the order they are changed.</summary>
    private static IEnumerable<TrustStore> StoresOfThisMachine()
    {
        // HOME as given, even when the folder does not exist yet (GetFolderPath answers "" then).
        string home = Environment.GetEnvironmentVariable(OperatingSystem.IsWindows() ? "USERPROFILE" : "HOME") is { Length: > 0 } h
            ? h
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        foreach (NssTrustStore nss in NssTrustStore.Discover(home))
        {
            yield return nss;
        }

        if (OperatingSystem.IsLinux())
        {
            yield return LinuxSystemTrustStore.Detect();
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return new MacKeychainTrustStore(home);
        }
        else if (OperatingSystem.IsWindows())
        {
            yield return new WindowsRootTrustStore();
        }
    }

    private static int Fail(ProtocolError error)
    {
        Console.Error.WriteLine($"burrow trust: {error}");
        if (error.Lookup() is { } known)
        {
            Console.Error.WriteLine($"  {known.Hint}");
        }

        return 2;
    }
}
