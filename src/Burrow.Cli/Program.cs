using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Burrow.Cli.Commands;

namespace Burrow.Cli;

/// <summary>The <c>burrow</c> executable.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        RootCommand root = CreateRootCommand();

        // Signals are ours: the edge drains for up to its drain timeout, longer than the parser's default grace.
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        ParseResult parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            // Not the parser's own report: it prints the command's whole help after the error.
            return ParseErrorReport.Write(parsed, Console.Error);
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token).ConfigureAwait(false);

        // The first signal stops gracefully (the edge drains requests in flight); a second one ends the process at once,
        // the way a person presses Ctrl+C twice when a stop takes too long.
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            if (stop.IsCancellationRequested)
            {
                Environment.Exit(128 + 2);
            }

            stop.Cancel();
        }
    }

    /// <summary>Every command of the executable; tests read their options from here.</summary>
    internal static RootCommand CreateRootCommand() =>
        new("Burrow: expose local services at public URLs through an edge you own.")
        {
            ServerCommand.Create(),
            HttpCommand.Create(),
            TcpCommand.Create(),
            TlsCommand.Create(),
            Commands.Admin.AdminCommand.Create(),
            StartCommand.Create(),
            ConfigCommand.Create(),
            ConfigCommand.AuthtokenCommand(),
            TrustCommand.Create(),
            StatusCommand.Create(),
            ServiceCommand.Create(),
        };
}
