using System.CommandLine;
using System.Globalization;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow tcp &lt;upstream&gt;</c>: exposes a local TCP service (a database, ssh...) on a port of the edge.</summary>
internal static class TcpCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("upstream") { Description = "What to expose: a port (5432, on localhost) or host:port." };
        var url = new Option<string?>("--url") { Description = "The address to ask for, tcp://host:port (a port in the edge's range); without it the edge picks a free port." };
        var name = new Option<string>("--name") { Description = "The tunnel's name.", DefaultValueFactory = _ => "command_line" };
        var cidrAllow = Many("--cidr-allow", "Allow only these client ranges, e.g. 203.0.113.0/24 (repeatable).");
        var cidrDeny = Many("--cidr-deny", "Refuse these client ranges (repeatable).");
        var proxyProtocol = UpstreamProxyProtocolOption.Create();
        var idleTimeout = TunnelLimitOptions.CreateIdleTimeout();
        var maxConnections = TunnelLimitOptions.CreateMaxConnections();

        var trafficPolicyFile = TrafficPolicyFileOption.Create();
        var pooling = PoolingOption.Create();
        var command = new Command("tcp", "Expose a local TCP service on a public port of the edge.")
        {
            target, url, name, cidrAllow, cidrDeny, proxyProtocol, idleTimeout, maxConnections, trafficPolicyFile, pooling,
        };
        var connection = AgentConnection.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            (string? trafficPolicy, ProtocolError? policyError) = TrafficPolicyFileOption.Read(parse.GetValue(trafficPolicyFile), "tcp");
            if (policyError is not null)
            {
                Console.Error.WriteLine($"burrow tcp: {policyError}");
                return 2;
            }

            if (!UpstreamTarget.TryParseTcp(parse.GetValue(target)!, out UpstreamTarget? upstream, out string? upstreamError))
            {
                return Fail($"burrow tcp: {upstreamError}.");
            }

            (int? proxyVersion, ProtocolError? proxyError) = UpstreamProxyProtocolOption.Parse(parse, proxyProtocol);
            if (proxyError is not null)
            {
                return Fail($"burrow tcp: {proxyError}");
            }

            (long? idleMs, int? maxConnectionCount, ProtocolError? limitError) = TunnelLimitOptions.Parse(parse, idleTimeout, maxConnections);
            if (limitError is not null)
            {
                return Fail($"burrow tcp: {limitError}");
            }

            int? remotePort = null;
            if (parse.GetValue(url) is { Length: > 0 } requested)
            {
                if (ParsePort(requested) is not { } port)
                {
                    return Fail($"burrow tcp: '{requested}' is not a tcp address; use tcp://host:port, e.g. tcp://tunnel.example.com:20001.");
                }

                remotePort = port;
            }

            var tunnel = new TunnelDefinition
            {
                Pooling = parse.GetValue(pooling),
                Name = parse.GetValue(name)!,
                Proto = TunnelProtocols.Tcp,
                Upstream = upstream,
                RemotePort = remotePort,
                UpstreamProxyProtocol = proxyVersion,
                Options = new EndpointOptions(inspect: false)
                {
                    TrafficPolicy = trafficPolicy,
                    CidrAllow = parse.GetValue(cidrAllow),
                    CidrDeny = parse.GetValue(cidrDeny),
                    IdleTimeoutMs = idleMs,
                    MaxConnections = maxConnectionCount,
                },
            };
            return await connection.RunAsync(parse, tunnel, "tcp", cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The port of <c>tcp://host:port</c>, <c>host:port</c> or a bare port.</summary>
    private static int? ParsePort(string url)
    {
        string text = url.Trim();
        if (text.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }

        int colon = text.LastIndexOf(':');
        string port = colon >= 0 ? text[(colon + 1)..] : text;
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is >= 1 and <= 65535 ? value : null;
    }

    private static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
