using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Burrow.Cluster.Tests.Harness;

/// <summary>
/// Public traffic to one node of a <see cref="ClusterHarness"/>: every node listens on its own loopback address and
/// ports, so a request names the tunnel's hostname in Host (plain HTTP) or SNI (HTTPS) and is sent to that node's port.
/// </summary>
public static class NodeHttp
{
    /// <summary>GET <paramref name="path"/> for <paramref name="host"/> through <paramref name="node"/>'s public HTTP port.</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, ClusterNodeRun node, string host, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"http://{node.Address}:{node.HttpPort}{path}"));
        request.Headers.Host = host;
        return await client.SendAsync(request, cancellationToken);
    }

    /// <summary>GET and read the body; throws with the status and body when it is not 200.</summary>
    public static async Task<string> GetStringAsync(HttpClient client, ClusterNodeRun node, string host, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await GetAsync(client, node, host, path, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} through {node.Name}: {body}");
        }

        return body;
    }

    /// <summary>A handler whose every connection goes to <paramref name="node"/>'s <paramref name="port"/>, whatever the URL's host says.</summary>
    public static SocketsHttpHandler To(ClusterNodeRun node, int port) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(node.Address, port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };
}
