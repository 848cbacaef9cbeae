using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// A Node <c>http</c> server (Debian's nodejs) as an upstream, with its idle keep-alive timeout set by the test:
/// Node closes a keep-alive connection exactly that long after its last response, which is the race a pooled
/// connection meets. <c>/</c> greets, <c>/echo</c> answers with the body, <c>/trailers</c> with a chunked body and a
/// trailer, <c>/close</c> with <c>Connection: close</c>, <c>/count/{id}</c> how often that <c>X-Request-Id</c> arrived.
/// </summary>
public sealed class NodeUpstream : IAsyncDisposable
{
    public const string Greeting = "hello from node";

    private const string Script = """
        const http = require('http');
        const seen = new Map();
        const server = http.createServer((req, res) => {
          const id = req.headers['x-request-id'];
          if (id) { seen.set(id, (seen.get(id) || 0) + 1); }
          const url = req.url;
          if (url.startsWith('/count/')) { res.end(String(seen.get(url.slice(7)) || 0)); return; }
          if (url === '/close') { res.setHeader('Connection', 'close'); res.end('closing'); return; }
          const chunks = [];
          req.on('data', c => chunks.push(c));
          req.on('end', () => {
            const body = Buffer.concat(chunks);
            if (url === '/echo') { res.setHeader('Content-Length', body.length); res.end(body); return; }
            if (url === '/trailers') {
              res.setHeader('Trailer', 'x-body-length');
              res.write('part-one;');
              res.write('part-two');
              res.addTrailers({ 'x-body-length': String(body.length) });
              res.end();
              return;
            }
            res.end('hello from node');
          });
        });
        server.keepAliveTimeout = Number(process.argv[3]);
        server.listen(Number(process.argv[2]), '127.0.0.1');
        """;

    private readonly Daemon _daemon;
    private readonly TempDirectory _directory;

    private NodeUpstream(Daemon daemon, TempDirectory directory, int port)
    {
        _daemon = daemon;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<NodeUpstream> StartAsync(TimeSpan keepAliveTimeout)
    {
        var directory = new TempDirectory();
        string script = Path.Combine(directory.Path, "server.js");
        await File.WriteAllTextAsync(script, Script);
        int port = FreePort.Loopback();
        Daemon daemon = await Daemon.StartAsync("/usr/bin/node", [script, port.ToString(CultureInfo.InvariantCulture), ((int)keepAliveTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)], port);
        return new NodeUpstream(daemon, directory, port);
    }

    public string Diagnostics() => _daemon.Diagnostics();

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _directory.Dispose();
    }
}
