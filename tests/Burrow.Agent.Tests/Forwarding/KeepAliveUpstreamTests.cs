using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Agent.Forwarding;

namespace Burrow.Agent.Tests.Forwarding;

/// <summary>
/// <see cref="KeepAliveUpstream"/> over real loopback sockets, against a raw upstream that closes where each test says:
/// an idle close stays out of the proxy stream and the next request goes on a new connection; every other end
/// (a response framed by the close, <c>Connection: close</c>, a cut response) reaches the reader.
/// </summary>
public sealed class KeepAliveUpstreamTests : IAsyncDisposable
{
    private const string Get = "GET / HTTP/1.1\r\nHost: upstream\r\n\r\n";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private int _dials;

    public KeepAliveUpstreamTests() => _listener.Start();

    [Fact]
    public async Task An_idle_close_stays_here_and_the_next_request_goes_on_a_new_connection()
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket first = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(first);
        await first.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"), TestContext.Current.CancellationToken);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none", await ReadTextAsync(upstream, "one"));

        // The upstream's idle close, while the pump waits for more of it.
        Task<int> waiting = upstream.ReadAsync(new byte[1024], TestContext.Current.CancellationToken).AsTask();
        first.Shutdown(SocketShutdown.Both);
        first.Close();

        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        using Socket second = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Get, await ReadRequestAsync(second));
        await second.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"), TestContext.Current.CancellationToken);

        int read = await waiting;
        Assert.True(read > 0, "the idle close reached the reader");
        Assert.Equal(2, _dials);
        await upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("HTTP/1.0 200 OK\r\n\r\nframed by the close")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nten!")]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbye!")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ncut")]
    public async Task Every_other_end_reaches_the_reader(string response)
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket accepted = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(accepted);
        await accepted.SendAsync(Encoding.ASCII.GetBytes(response), TestContext.Current.CancellationToken);
        accepted.Shutdown(SocketShutdown.Both);

        Assert.Equal(response, await ReadToEndAsync(upstream));
        Assert.Equal(1, _dials);
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task A_reset_before_any_byte_of_the_answer_reads_as_a_clean_end()
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket accepted = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(accepted);
        Reset(accepted);

        Assert.Equal("", await ReadToEndAsync(upstream));
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task A_reset_in_the_middle_of_an_answer_is_a_failure()
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket accepted = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(accepted);
        await accepted.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal"), TestContext.Current.CancellationToken);
        await ReadTextAsync(upstream, "hal");
        Reset(accepted);

        await Assert.ThrowsAsync<IOException>(() => ReadToEndAsync(upstream));
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task With_the_upstream_gone_the_next_request_ends_the_stream_cleanly()
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket accepted = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(accepted);
        await accepted.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\n\r\n"), TestContext.Current.CancellationToken);
        Assert.Equal("HTTP/1.1 204 No Content\r\n\r\n", await ReadTextAsync(upstream, "\r\n\r\n"));

        Task<int> waiting = upstream.ReadAsync(new byte[1024], TestContext.Current.CancellationToken).AsTask();
        _listener.Stop();
        accepted.Close();
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);

        // The edge reads a clean end with no answer: a request with no body is retried there, and the new dial's error is its page.
        Assert.Equal(0, await waiting);
        Assert.Equal(2, _dials);
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task The_edges_end_between_connections_ends_the_reader()
    {
        KeepAliveUpstream upstream = await OpenAsync();
        using Socket accepted = await _listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
        await upstream.WriteAsync(Encoding.ASCII.GetBytes(Get), TestContext.Current.CancellationToken);
        await ReadRequestAsync(accepted);
        await accepted.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), TestContext.Current.CancellationToken);
        await ReadTextAsync(upstream, "\r\n\r\n");
        Task<int> waiting = upstream.ReadAsync(new byte[1024], TestContext.Current.CancellationToken).AsTask();
        accepted.Close();

        // Whether or not the reader has let the idle connection go by now, the edge's own end (its half-close) ends
        // the reading side, and nothing is dialled for it.
        await upstream.AsPumpEnd().CompleteWritesAsync();
        Assert.Equal(0, await waiting);
        Assert.Equal(1, _dials);
        await upstream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await Task.CompletedTask;
    }

    private async Task<KeepAliveUpstream> OpenAsync() =>
        new(await DialAsync(TestContext.Current.CancellationToken) ?? throw new InvalidOperationException("no listener"), new Http1ExchangeTracker(), DialAsync);

    private async Task<UpstreamConnection?> DialAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _dials);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint, cancellationToken);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        return new UpstreamConnection(socket, new NetworkStream(socket, ownsSocket: true));
    }

    private static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static async Task<string> ReadRequestAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        while (!text.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(read > 0, "the request ended early");
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static async Task<string> ReadTextAsync(Stream stream, string endsWith)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        while (!text.ToString().EndsWith(endsWith, StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            Assert.True(read > 0, $"the stream ended after '{text}'");
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
