using System.Net.Sockets;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Tests.Interop;

/// <summary>
/// Our <see cref="MuxSession.Client(Stream, MuxOptions?)"/> connected over loopback TCP to a fresh
/// <c>yamuxpeer server</c>, with a <see cref="CommandServer"/> on our side for the streams the Go
/// server opens back. Disposing closes our session first, then stops the Go process.
/// </summary>
internal sealed class GoServerLink : IAsyncDisposable
{
    private GoServerLink(GoPeerProcess peer, MuxSession session, CommandServer commands)
    {
        Peer = peer;
        Session = session;
        Commands = commands;
    }

    public GoPeerProcess Peer { get; }

    public MuxSession Session { get; }

    public CommandServer Commands { get; }

    public static async Task<GoServerLink> StartAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var peer = await GoPeerProcess.StartAsync(["server", "127.0.0.1:0"], environment);
        try
        {
            var endPoint = await peer.WaitForListeningAsync(TimeSpan.FromSeconds(20));
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            var session = MuxSession.Client(new NetworkStream(socket, ownsSocket: true));
            return new GoServerLink(peer, session, CommandServer.Start(session, cancellationToken));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the Go process prints a line starting with <paramref name="prefix"/>.</summary>
    public async Task<string> WaitForLineAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = Peer.StdoutLines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Fails if Go's yamux logged an error: it logs every protocol complaint it has about us.</summary>
    public void AssertGoLoggedNoErrors()
    {
        var errors = Peer.Stderr.Split('\n').Where(l => l.Contains("[ERR]", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"Go yamux logged errors:\n{string.Join('\n', errors)}");
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await Peer.DisposeAsync();
    }
}
