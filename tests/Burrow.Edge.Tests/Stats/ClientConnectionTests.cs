using Burrow.Edge.Stats;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Burrow.Edge.Tests.Stats;

public sealed class ClientConnectionTests
{
    [Fact]
    public void Connection_with_many_requests_counts_once_toward_its_tunnel()
    {
        var time = new FakeTimeProvider();
        var tunnel = new ClientStats();
        var connection = new ClientConnection(time);

        for (int i = 0; i < 50; i++)
        {
            connection.Touch(tunnel);
        }

        Assert.Equal(1, tunnel.ConnectionsOpened);
        Assert.Equal(0, tunnel.ConnectionsClosed);
        time.Advance(TimeSpan.FromMilliseconds(1500));
        connection.Close();
        Assert.Equal(1, tunnel.ConnectionsClosed);
        Assert.Equal([1_500_000L], tunnel.ConnectionDurations.Take());
    }

    [Fact]
    public void Connection_with_requests_for_two_tunnels_counts_once_in_each_and_closes_in_each()
    {
        var time = new FakeTimeProvider();
        var web = new ClientStats();
        var api = new ClientStats();
        var connection = new ClientConnection(time);

        connection.Touch(web);
        connection.Touch(api);
        connection.Touch(web);
        connection.Touch(api);
        connection.Touch(api);

        Assert.Equal(1, web.ConnectionsOpened);
        Assert.Equal(1, api.ConnectionsOpened);
        time.Advance(TimeSpan.FromSeconds(2));
        connection.Close();
        Assert.Equal(1, web.ConnectionsClosed);
        Assert.Equal(1, api.ConnectionsClosed);
        Assert.Equal([2_000_000L], api.ConnectionDurations.Take());
    }

    [Fact]
    public void Six_connections_with_keepalive_requests_count_six()
    {
        var time = new FakeTimeProvider();
        var tunnel = new ClientStats();
        var connections = Enumerable.Range(0, 6).Select(_ => new ClientConnection(time)).ToArray();

        foreach (ClientConnection connection in connections)
        {
            for (int request = 0; request < 5; request++)
            {
                connection.Touch(tunnel);
                tunnel.RequestEnded(TimeSpan.FromMilliseconds(3));
            }
        }

        Assert.Equal(6, tunnel.ConnectionsOpened);
        Assert.Equal(30, tunnel.Requests);
        foreach (ClientConnection connection in connections)
        {
            connection.Close();
        }

        Assert.Equal(6, tunnel.ConnectionsClosed);
    }

    [Fact]
    public async Task Concurrent_http2_streams_of_one_connection_count_it_once_per_tunnel()
    {
        var tunnels = new[] { new ClientStats(), new ClientStats(), new ClientStats() };
        for (int round = 0; round < 200; round++)
        {
            var connection = new ClientConnection(TimeProvider.System);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] streams = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                await start.Task;
                connection.Touch(tunnels[i % tunnels.Length]);
            })).ToArray();
            start.SetResult();
            await Task.WhenAll(streams);
            connection.Close();
        }

        Assert.All(tunnels, t => Assert.Equal(200, t.ConnectionsOpened));
        Assert.All(tunnels, t => Assert.Equal(200, t.ConnectionsClosed));
    }

    [Fact]
    public void Connection_that_sent_no_request_to_a_tunnel_counts_nowhere()
    {
        var tunnel = new ClientStats();
        var connection = new ClientConnection(new FakeTimeProvider());

        connection.Close();

        Assert.Equal(0, tunnel.ConnectionsOpened);
        Assert.Equal(0, tunnel.ConnectionsClosed);
        Assert.Empty(tunnel.ConnectionDurations.Take());
    }

    [Fact]
    public async Task Middleware_gives_requests_their_connection_and_closes_it_when_the_connection_ends()
    {
        var time = new FakeTimeProvider();
        var tunnel = new ClientStats();
        var connection = new DefaultConnectionContext("c1");
        ClientConnection? seen = null;
        ConnectionDelegate app = new ClientConnections(time).Track(c =>
        {
            // What the request handler does for each request of the connection.
            var request = new DefaultHttpContext();
            request.Features.Set<IConnectionItemsFeature>(connection);
            seen = ClientConnections.Of(request);
            seen?.Touch(tunnel);
            time.Advance(TimeSpan.FromMilliseconds(40));
            return Task.CompletedTask;
        });

        await app(connection);

        Assert.NotNull(seen);
        Assert.Equal(1, tunnel.ConnectionsOpened);
        Assert.Equal(1, tunnel.ConnectionsClosed);
        Assert.Equal([40_000L], tunnel.ConnectionDurations.Take());
        Assert.Null(ClientConnections.Of(new DefaultHttpContext()));
    }
}
