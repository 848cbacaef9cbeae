using Burrow.Agent.Tunnels;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;
using YamlDotNet.RepresentationModel;

namespace Burrow.Cli.Config;

// Version 3 endpoints (a list) and version 2 tunnels (a map by name), both made into TunnelDefinitions.
internal sealed partial class ConfigParser
{
    private void ReadEndpoints(YamlNode node)
    {
        if (node is not YamlSequenceNode list)
        {
            if (!IsNull(node))
            {
                Invalid(node, "endpoints", "expected a list of endpoints, each starting with '- name:'");
            }

            return;
        }

        for (int i = 0; i < list.Children.Count; i++)
        {
            if (Map(list.Children[i], $"endpoints[{i}]") is { } map)
            {
                ReadEndpoint(map, $"endpoints[{i}]");
            }
        }
    }

    private void ReadEndpoint(YamlMappingNode map, string where)
    {
        string? name = null, url = null, upstreamUrl = null;
        YamlNode? nameNode = null, urlNode = null, upstreamUrlNode = null;
        bool tlsVerify = true;
        bool pooling = false;
        var options = new OptionsBuilder();
        foreach ((YamlScalarNode key, string keyName, YamlNode value) in Entries(map, where))
        {
            switch (keyName)
            {
                case "name":
                    (name, nameNode) = (Text(value, keyName), value);
                    break;
                case "url":
                    (url, urlNode) = (Text(value, keyName), value);
                    break;
                case "upstream":
                    if (Map(value, "upstream") is { } upstream)
                    {
                        foreach ((YamlScalarNode upKey, string upName, YamlNode upValue) in Entries(upstream, $"{where}.upstream"))
                        {
                            switch (upName)
                            {
                                case "url":
                                    (upstreamUrl, upstreamUrlNode) = (Text(upValue, "upstream.url"), upValue);
                                    break;
                                case "protocol":
                                    options.UpstreamProtocol = OneOf(upValue, "upstream.protocol", [UpstreamProtocols.Http1, UpstreamProtocols.Http2], "use http1 or http2");
                                    options.HttpOnly.Add(("upstream.protocol", upKey));
                                    break;
                                case "tls_verify":
                                    tlsVerify = Bool(upValue, "upstream.tls_verify") ?? true;
                                    break;
                                case "proxy_protocol":
                                    Unsupported(upKey, "upstream.proxy_protocol", "the PROXY protocol is not implemented yet");
                                    break;
                                default:
                                    Unknown(upKey, upName, $"{where}.upstream");
                                    break;
                            }
                        }
                    }

                    break;
                case "description" or "metadata":
                    _file.Warnings.Add($"{At(key)}: '{keyName}' is not used by Burrow; ignored.");
                    break;
                case "bindings":
                    foreach ((YamlNode node, string binding) in Strings(value, keyName) ?? [])
                    {
                        if (binding != "public")
                        {
                            Unsupported(node, "bindings", $"'{binding}' endpoints do not exist in Burrow; every endpoint is public");
                        }
                    }

                    break;
                case "pooling_enabled":
                    pooling = Bool(value, keyName) ?? false;
                    break;
                case "traffic_policy":
                    ReadTrafficPolicy(value, options);
                    break;
                case "agent_tls_termination":
                    Unsupported(key, keyName, "TLS termination at the agent is not implemented yet");
                    break;
                default:
                    if (!ReadSharedOption(key, keyName, value, options))
                    {
                        Unknown(key, keyName, name is null ? where : $"{where} ({name})");
                    }

                    break;
            }
        }

        if (name is null)
        {
            Missing(map, "name", where);
            return;
        }

        if (upstreamUrl is null)
        {
            Missing(upstreamUrlNode ?? map, "upstream.url", $"endpoint '{name}'");
            return;
        }

        string proto = EndpointParts.ProtoOf(url);
        string? host = url is null ? null : EndpointParts.HostOf(url);
        string? hostname = null, subdomain = null;
        int? port = null;
        if (proto == TunnelProtocols.Tcp)
        {
            port = url is null ? null : EndpointParts.PortOf(url);
        }
        else if (host is not null && host.Contains('.', StringComparison.Ordinal))
        {
            hostname = host;
        }
        else
        {
            subdomain = host;
        }

        Add(name, nameNode!, proto, upstreamUrl, upstreamUrlNode!, "upstream.url", hostname, subdomain, urlNode, port, options, tlsVerify, pooling);
    }

    private void ReadTunnels(YamlNode node)
    {
        if (Map(node, "tunnels") is not { } map)
        {
            return;
        }

        foreach ((YamlScalarNode nameNode, string name, YamlNode value) in Entries(map, "tunnels"))
        {
            if (Map(value, $"tunnels.{name}") is { } tunnel)
            {
                ReadTunnel(nameNode, name, tunnel);
            }
            else
            {
                Missing(nameNode, "addr", $"tunnel '{name}'");
            }
        }
    }

    private void ReadTunnel(YamlScalarNode nameNode, string name, YamlMappingNode map)
    {
        string where = $"tunnels.{name}";
        string proto = TunnelProtocols.Http;
        string? addr = null, hostname = null, subdomain = null;
        YamlNode? addrNode = null, hostNode = null;
        int? remotePort = null;
        bool tlsVerify = true;
        var options = new OptionsBuilder();
        foreach ((YamlScalarNode key, string keyName, YamlNode value) in Entries(map, where))
        {
            switch (keyName)
            {
                case "proto":
                    proto = OneOf(value, keyName, [TunnelProtocols.Http, TunnelProtocols.Tcp, TunnelProtocols.Tls], "use http, tcp or tls") ?? proto;
                    break;
                case "addr":
                    (addr, addrNode) = (Text(value, keyName), value);
                    break;
                case "hostname" or "domain":
                    (hostname, hostNode) = (Text(value, keyName)?.ToLowerInvariant(), value);
                    break;
                case "subdomain":
                    (subdomain, hostNode) = (Text(value, keyName)?.ToLowerInvariant(), value);
                    break;
                case "remote_addr":
                    if (Text(value, keyName) is { } remote)
                    {
                        remotePort = EndpointParts.PortOf(remote);
                        if (remotePort is null or < 1 or > 65535)
                        {
                            Invalid(value, keyName, $"'{remote}' is not host:port, e.g. tunnel.example.com:20001");
                        }
                    }

                    break;
                case "auth":
                    // Agent 2.x's single "user:password" string, which became the basic_auth list.
                    AddChecked(Strings(value, keyName), "auth", options.BasicAuth, CheckBasicAuth);
                    options.HttpOnly.Add((keyName, key));
                    break;
                case "upstream_protocol":
                    options.UpstreamProtocol = OneOf(value, keyName, [UpstreamProtocols.Http1, UpstreamProtocols.Http2], "use http1 or http2");
                    options.HttpOnly.Add((keyName, key));
                    break;
                case "upstream_tls_verify":
                    tlsVerify = Bool(value, keyName) ?? true;
                    break;
                case "traffic_policy":
                    ReadTrafficPolicy(value, options);
                    break;
                case "metadata" or "description":
                    _file.Warnings.Add($"{At(key)}: '{keyName}' is not used by Burrow; ignored.");
                    break;
                case "schemes" or "bind_tls":
                    _file.Warnings.Add($"{At(key)}: '{keyName}' is ignored: a Burrow http tunnel always gets both an https:// and an http:// URL.");
                    break;
                case "mutual_tls_cas":
                    // ngrok v2: a path to a PEM file of CAs (relative to the config file); read and checked now, so a bad file
                    // stops `burrow start` before it connects.
                    if (ExistingFile(value, keyName) is { } casPath)
                    {
                        (string? pem, ProtocolError? casError) = Commands.MutualTlsCasOption.Read(casPath);
                        if (casError is not null)
                        {
                            Invalid(value, keyName, casError.Message.TrimEnd('.'));
                        }

                        options.MutualTlsCas = pem;
                    }

                    options.HttpOnly.Add((keyName, key));
                    break;
                case "oauth" or "oidc" or "verify_webhook" or "crt" or "key" or "compression" or "circuit_breaker"
                    or "user_agent_filter" or "websocket_tcp_converter" or "proxy_proto" or "terminate_at" or "labels" or "policy":
                    Unsupported(key, keyName, "not implemented yet; remove it (Burrow will not run a tunnel without a protection its config asks for)");
                    break;
                default:
                    if (!ReadSharedOption(key, keyName, value, options))
                    {
                        Unknown(key, keyName, where);
                    }

                    break;
            }
        }

        if (addr is null)
        {
            Missing(addrNode ?? nameNode, "addr", $"tunnel '{name}'");
            return;
        }

        Add(name, nameNode, proto, addr, addrNode!, "addr", hostname, hostname is null ? subdomain : null, hostNode, remotePort, options, tlsVerify);
    }

    /// <summary>Checks the parts against each other and the protocol, then adds the entry unless its name is taken in this file.</summary>
    private void Add(
        string name, YamlNode nameNode, string proto, string upstream, YamlNode upstreamNode, string upstreamKey,
        string? hostname, string? subdomain, YamlNode? hostNode, int? remotePort, OptionsBuilder options, bool tlsVerify, bool pooling = false)
    {
        if (_names.TryGetValue(name, out SourceLocation first))
        {
            _problems.Add(ConfigProblem.Of(ErrorCodes.ConfigDuplicateName, At(nameNode), name, first));
            return;
        }

        _names[name] = At(nameNode);
        bool ok = true;
        UpstreamTarget? target;
        string? upstreamError;
        if (proto == TunnelProtocols.Http ? !UpstreamTarget.TryParse(upstream, out target, out upstreamError) : !UpstreamTarget.TryParseTcp(upstream, out target, out upstreamError))
        {
            Invalid(upstreamNode, upstreamKey, upstreamError);
            ok = false;
        }

        if (hostname is not null && !HostNames.TryValidateHostname(hostname, out ProtocolError? hostError))
        {
            Invalid(hostNode!, "url", hostError.Message.TrimEnd('.'));
            ok = false;
        }
        else if (subdomain is not null && !HostNames.TryValidateSubdomain(subdomain, out ProtocolError? subError))
        {
            Invalid(hostNode!, "url", subError.Message.TrimEnd('.'));
            ok = false;
        }

        if (remotePort is not null && proto != TunnelProtocols.Tcp)
        {
            Invalid(hostNode ?? nameNode, "remote_addr", $"a remote port is only for tcp tunnels, and this one is {proto}");
            ok = false;
        }

        if (proto != TunnelProtocols.Http)
        {
            foreach ((string key, YamlNode node) in options.HttpOnly)
            {
                Invalid(node, key, $"applies only to http endpoints, and '{name}' is {proto}");
                ok = false;
            }
        }

        if (ok)
        {
            _file.Endpoints.Add(new EndpointConfig(name, At(nameNode), new TunnelDefinition
            {
                Name = name,
                Proto = proto,
                Upstream = target!,
                Hostname = hostname,
                Subdomain = hostname is null ? subdomain : null,
                RemotePort = remotePort,
                UpstreamTlsVerify = tlsVerify,
                Pooling = pooling,
                Options = options.Build(proto),
            }));
        }
    }
}
