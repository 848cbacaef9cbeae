using System.Globalization;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's nginx, started in a temp directory on free loopback ports, as an upstream nobody here
/// wrote: <see cref="ProxyProtocolPort"/> and <see cref="ProxyProtocolTlsPort"/> parse the PROXY
/// protocol header (v1 and v2) and answer every request with the addresses it carried;
/// <see cref="PlainPort"/> answers plain HTTP with a fixed body.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    public const string PlainBody = "plain-nginx-upstream";

    private readonly Daemon _daemon;

    private Nginx(Daemon daemon, int proxyProtocolPort, int proxyProtocolTlsPort, int plainPort)
    {
        _daemon = daemon;
        ProxyProtocolPort = proxyProtocolPort;
        ProxyProtocolTlsPort = proxyProtocolTlsPort;
        PlainPort = plainPort;
    }

    public static string Executable => "/usr/sbin/nginx";

    /// <summary>HTTP behind a PROXY header.</summary>
    public int ProxyProtocolPort { get; }

    /// <summary>HTTPS (certificate given at start) behind a PROXY header.</summary>
    public int ProxyProtocolTlsPort { get; }

    /// <summary>Plain HTTP, no PROXY header.</summary>
    public int PlainPort { get; }

    public static async Task<Nginx> StartAsync(string directory, string certificatePath, string keyPath)
    {
        int pp = FreePort.Loopback(), ppTls = FreePort.Loopback(), plain = FreePort.Loopback();
        const string Answer = "\"client=$proxy_protocol_addr:$proxy_protocol_port server=$proxy_protocol_server_addr:$proxy_protocol_server_port tls=$https\\n\"";
        string config = string.Create(CultureInfo.InvariantCulture, $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                default_type text/plain;
                server {
                    listen 127.0.0.1:{{pp}} proxy_protocol;
                    location / { return 200 {{Answer}}; }
                }
                server {
                    listen 127.0.0.1:{{ppTls}} ssl proxy_protocol;
                    ssl_certificate {{certificatePath}};
                    ssl_certificate_key {{keyPath}};
                    location / { return 200 {{Answer}}; }
                }
                server {
                    listen 127.0.0.1:{{plain}};
                    location / { return 200 "{{PlainBody}}"; }
                }
            }
            """);
        string configPath = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        Daemon daemon = await Daemon.StartAsync(Executable, ["-e", "stderr", "-p", directory, "-c", configPath, "-g", "daemon off;"], pp, ppTls, plain);
        return new Nginx(daemon, pp, ppTls, plain);
    }

    public string Diagnostics() => _daemon.Diagnostics();

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
