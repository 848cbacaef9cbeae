using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's nginx as a plain upstream that closes idle keep-alive connections after one second (its
/// <c>keepalive_timeout</c>), and a connection after every 10th request on it (<c>keepalive_requests</c>): a
/// <c>Connection: close</c> in the middle of a keep-alive connection. Every request is answered with <see cref="Greeting"/>.
/// </summary>
public sealed class KeepAliveNginx : IAsyncDisposable
{
    public const string Greeting = "hello from nginx";

    private readonly Daemon _daemon;
    private readonly TempDirectory _directory;

    private KeepAliveNginx(Daemon daemon, TempDirectory directory, int port)
    {
        _daemon = daemon;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static async Task<KeepAliveNginx> StartAsync()
    {
        var directory = new TempDirectory();
        int port = FreePort.Loopback();
        string config = string.Create(CultureInfo.InvariantCulture, $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{directory.Path}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{directory.Path}}/body;
                proxy_temp_path {{directory.Path}}/proxy;
                fastcgi_temp_path {{directory.Path}}/fastcgi;
                uwsgi_temp_path {{directory.Path}}/uwsgi;
                scgi_temp_path {{directory.Path}}/scgi;
                default_type text/plain;
                keepalive_timeout 1s;
                keepalive_requests 10;
                server {
                    listen 127.0.0.1:{{port}};
                    location / { return 200 "{{Greeting}}"; }
                }
            }
            """);
        string configPath = Path.Combine(directory.Path, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        Daemon daemon = await Daemon.StartAsync(Nginx.Executable, ["-e", "stderr", "-p", directory.Path, "-c", configPath, "-g", "daemon off;"], port);
        return new KeepAliveNginx(daemon, directory, port);
    }

    public string Diagnostics() => _daemon.Diagnostics();

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _directory.Dispose();
    }
}
