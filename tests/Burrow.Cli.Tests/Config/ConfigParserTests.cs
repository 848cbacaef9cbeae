using Burrow.Agent.Tunnels;
using Burrow.Cli.Config;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Validation;

namespace Burrow.Cli.Tests.Config;

public sealed class ConfigParserTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Version3_file_gives_agent_settings_and_endpoints()
    {
        string ca = _dir.Write("edge-ca.pem", "not read here");
        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: 3
            agent:
              authtoken: brw_secret
              connect_url: tunnel.example.com:4443
              server_name: edge.example.com
              edge_ca: edge-ca.pem
              web_addr: 127.0.0.1:4141
              log: stdout
              log_level: warn
              log_format: logfmt
              console_ui: false
            endpoints:
              - name: web
                url: https://demo.tunnel.example.com
                upstream:
                  url: 8080
                  protocol: http2
                inspect: false
              - name: api
                url: api
                upstream: {url: "http://127.0.0.1:3000"}
              - name: db
                url: tcp://tunnel.example.com:20001
                upstream:
                  url: 5432
              - name: secure
                url: tls://secure.tunnel.example.com
                upstream:
                  url: localhost:8443
            """);

        Assert.Empty(problems);
        Assert.Equal(3, file.Version);
        Assert.Equal("brw_secret", file.Agent.Authtoken);
        Assert.Equal("tunnel.example.com:4443", file.Agent.ConnectUrl);
        Assert.Equal("edge.example.com", file.Agent.ServerName);
        Assert.Equal(ca, file.Agent.EdgeCa);
        Assert.Equal("127.0.0.1:4141", file.Agent.WebAddr);
        Assert.Equal(("stdout", "warn", "logfmt", "false"), (file.Agent.Log, file.Agent.LogLevel, file.Agent.LogFormat, file.Agent.ConsoleUi));

        Assert.Equal(["web", "api", "db", "secure"], file.Endpoints.Select(e => e.Name));
        TunnelDefinition web = file.Endpoints[0].Tunnel;
        Assert.Equal(("http", "demo.tunnel.example.com", null), (web.Proto, web.Hostname, web.Subdomain));
        Assert.Equal("http://localhost:8080", web.Upstream.Display);
        Assert.Equal(UpstreamProtocols.Http2, web.Options.UpstreamProtocol);
        Assert.False(web.Options.Inspect);

        TunnelDefinition api = file.Endpoints[1].Tunnel;
        Assert.Equal((null, "api"), (api.Hostname, api.Subdomain));
        Assert.True(api.Options.Inspect);
        Assert.Equal("http://127.0.0.1:3000", api.Upstream.Display);

        TunnelDefinition db = file.Endpoints[2].Tunnel;
        Assert.Equal(("tcp", 20001), (db.Proto, db.RemotePort));
        Assert.Equal("localhost:5432", db.Upstream.Display);
        Assert.False(db.Options.Inspect);

        TunnelDefinition secure = file.Endpoints[3].Tunnel;
        Assert.Equal(("tls", "secure.tunnel.example.com"), (secure.Proto, secure.Hostname));
        Assert.Equal(file.Path, file.Endpoints[3].Location.File);
        Assert.Equal(26, file.Endpoints[3].Location.Line);
    }

    [Fact]
    public void Version3_traffic_policy_goes_to_the_edge_whole_and_is_checked_here_first()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: 3
            endpoints:
              - name: web
                upstream: {url: 8080}
                traffic_policy:
                  on_http_request:
                    - actions:
                        - type: basic-auth
                          config: {credentials: ["alice:correct-horse", "bob:battery-staple"]}
                        - type: restrict-ips
                          config:
                            allow: [203.0.113.0/24]
                            deny: [203.0.113.7]
                        - type: add-headers
                          config: {headers: {x-env: dev}}
                        - type: remove-headers
                          config: {headers: [x-internal]}
                  on_http_response:
                    - name: tidy
                      actions:
                        - type: add-headers
                          config: {headers: {x-served-by: burrow}}
                        - type: remove-headers
                          config: {headers: [server]}
            """);

        Assert.Empty(problems);
        EndpointOptions options = file.Endpoints.Single().Tunnel.Options;
        // The document travels as text; the edge compiles it (and the same loader checked it above).
        Assert.Empty(options.BasicAuth);
        Assert.Contains("basic-auth", options.TrafficPolicy, StringComparison.Ordinal);
        Assert.Contains("203.0.113.7", options.TrafficPolicy, StringComparison.Ordinal);
        Assert.Contains("x-served-by", options.TrafficPolicy, StringComparison.Ordinal);
        Burrow.Edge.Policy.Loading.PolicyLoadResult reloaded = Burrow.Edge.Policy.Loading.PolicyLoader.Load(options.TrafficPolicy!, "http", Burrow.Edge.Policy.PolicyServices.ForValidation());
        Assert.Empty(reloaded.Errors);
        Assert.Single(reloaded.Policy!.OnHttpRequest.Rules);
        Assert.Equal(4, reloaded.Policy.OnHttpRequest.Rules[0].Actions.Length);
        Assert.Equal("tidy", reloaded.Policy.OnHttpResponse.Rules[0].Name);
        Assert.True(EndpointOptionsValidator.TryValidate(options, "http", out _, out ProtocolError? error), error?.Message);
    }

    [Fact]
    public void Ngrok_version2_file_is_read_with_its_tunnels_and_flat_options()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: "2"
            authtoken: brw_from_v2
            server_addr: tunnel.example.com:4443
            region: eu
            web_addr: false
            tunnels:
              website:
                proto: http
                addr: 8080
                subdomain: Demo
                basic_auth:
                  - "alice:correct-horse"
                host_header: rewrite
                inspect: false
                ip_restriction:
                  allow_cidrs: [10.0.0.0/8]
                  deny_cidrs: [10.1.0.0/16]
                request_header:
                  add: ["x-env: dev"]
                  remove: [x-debug]
                response_header:
                  add: ["x-powered-by: burrow"]
                  remove: [server]
              legacy:
                proto: http
                addr: https://localhost:8443
                hostname: app.example.com
                auth: "bob:battery-staple"
              ssh:
                proto: tcp
                addr: 22
                remote_addr: 1.tcp.example.com:20022
              game:
                proto: tls
                addr: 127.0.0.1:9443
                domain: game.example.com
            """);

        Assert.Empty(problems);
        Assert.Equal(2, file.Version);
        Assert.Equal(("brw_from_v2", "tunnel.example.com:4443", "false"), (file.Agent.Authtoken, file.Agent.ConnectUrl, file.Agent.WebAddr));
        Assert.Contains(file.Warnings, w => w.Contains("'region'", StringComparison.Ordinal) && w.Contains(":4:1:", StringComparison.Ordinal));

        TunnelDefinition website = file.Endpoints[0].Tunnel;
        Assert.Equal(("website", "demo", "http://localhost:8080"), (website.Name, website.Subdomain, website.Upstream.Display));
        Assert.Equal(["alice:correct-horse"], website.Options.BasicAuth);
        Assert.Equal("rewrite", website.Options.HostHeader);
        Assert.False(website.Options.Inspect);
        Assert.Equal(["10.0.0.0/8"], website.Options.CidrAllow);
        Assert.Equal(["10.1.0.0/16"], website.Options.CidrDeny);
        Assert.Equal(["x-env: dev"], website.Options.RequestHeaderAdd);
        Assert.Equal(["x-debug"], website.Options.RequestHeaderRemove);
        Assert.Equal(["x-powered-by: burrow"], website.Options.ResponseHeaderAdd);
        Assert.Equal(["server"], website.Options.ResponseHeaderRemove);

        TunnelDefinition legacy = file.Endpoints[1].Tunnel;
        Assert.Equal(("app.example.com", "https://localhost:8443"), (legacy.Hostname, legacy.Upstream.Display));
        Assert.Equal(["bob:battery-staple"], legacy.Options.BasicAuth);

        Assert.Equal(("tcp", 20022, "localhost:22"), (file.Endpoints[2].Tunnel.Proto, file.Endpoints[2].Tunnel.RemotePort, file.Endpoints[2].Tunnel.Upstream.Display));
        Assert.Equal(("tls", "game.example.com"), (file.Endpoints[3].Tunnel.Proto, file.Endpoints[3].Tunnel.Hostname));
    }

    [Fact]
    public void File_without_version_in_agent_2x_shape_reads_as_version2()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("authtoken: brw_old\ntunnels:\n  web: {proto: http, addr: 3000}\n");

        Assert.Empty(problems);
        Assert.Equal(2, file.Version);
        Assert.Equal("brw_old", file.Agent.Authtoken);
        Assert.Equal("web", file.Endpoints.Single().Name);
    }

    [Fact]
    public void Empty_file_is_an_empty_config()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("# nothing yet\n");

        Assert.Empty(problems);
        Assert.Empty(file.Endpoints);
        Assert.Null(file.Agent.Authtoken);
    }

    [Fact]
    public void Unknown_key_names_file_line_column_key_and_section()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 3\nagent:\n  authtoken: x\n  autotoken: y\n");

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigUnknownKey, problem.Code);
        Assert.Equal($"ERR_BURROW_7003: {_dir.Path}/burrow.yml:4:3: unknown key 'autotoken' in agent.", problem.ToString());
    }

    [Fact]
    public void Agent_setting_at_the_top_of_a_version3_file_says_where_it_belongs()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 3\nauthtoken: x\n");

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigUnknownKey, problem.Code);
        Assert.Contains(":2:1: unknown key 'authtoken'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("go under agent:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Agent_legs_setting_is_read()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("version: 3\nagent:\n  legs: 3\n");

        Assert.Empty(problems);
        Assert.Equal(3, file.Agent.Legs);
    }

    [Theory]
    [InlineData("version: 3\nagent:\n  log_level: loud\n", 3, 14, "log_level", "'loud' is not allowed")]
    [InlineData("version: 3\nagent:\n  connect_url: no-port\n", 3, 16, "connect_url", "not host:port")]
    [InlineData("version: 3\nagent:\n  edge_ca: missing.pem\n", 3, 12, "edge_ca", "does not exist")]
    [InlineData("version: 3\nagent:\n  local_https_port: 99999\n", 3, 21, "local_https_port", "from 0 to 65535")]
    [InlineData("version: 3\nagent:\n  legs: 0\n", 3, 9, "legs", "from 1 to 8")]
    [InlineData("version: 2\ninspect_db_size: 1000\n", 2, 18, "inspect_db_size", "at least 1MB")]
    [InlineData("version: 2\ninspect_db_size: lots\n", 2, 18, "inspect_db_size", "-1 to turn inspection off")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 8080}\n    inspect: maybe\n", 5, 14, "inspect", "not true or false")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 'ftp://x'}\n", 4, 21, "upstream.url", "is not an upstream")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    url: Bad_Name!\n    upstream: {url: 8080}\n", 4, 10, "url", "not a valid subdomain")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 8080}\n    ip_restriction: {allow_cidrs: [10/8]}\n", 5, 36, "ip_restriction.allow_cidrs[0]", "not an IPv4 or IPv6")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 8080}\n    request_header: {add: [NoColon]}\n", 5, 28, "request_header.add[0]", "expected Name:value")]
    [InlineData("version: 2\ntunnels:\n  s:\n    proto: tcp\n    addr: 22\n    basic_auth: ['a:correct-horse']\n", 6, 5, "basic_auth", "applies only to http endpoints")]
    [InlineData("version: 2\ntunnels:\n  s:\n    proto: ftp\n    addr: 22\n", 4, 12, "proto", "use http, tcp or tls")]
    public void Bad_value_names_file_line_column_and_key(string yaml, int line, int column, string key, string reason)
    {
        (_, List<ConfigProblem> problems) = Parse(yaml);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigInvalidValue, problem.Code);
        Assert.StartsWith($"{_dir.Path}/burrow.yml:{line}:{column}: invalid value for '{key}': ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 2\ninspect_db_size: 52428800\n", 52_428_800L)]
    [InlineData("version: 3\nagent:\n  inspect_db_size: 8MB\n", 8_388_608L)]
    [InlineData("version: 2\ninspect_db_size: 0\n", 0L)]
    [InlineData("version: 2\ninspect_db_size: -1\n", -1L)]
    public void Inspect_db_size_reads_as_ngrok_does(string yaml, long expected)
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse(yaml);

        Assert.Empty(problems);
        Assert.Empty(file.Warnings);
        Assert.Equal(expected, file.Agent.InspectDbSize);
    }

    [Theory]
    [InlineData("version: 3\nagent:\n\tauthtoken: x\n", 3)]
    [InlineData("version: 3\nendpoints: [\n", 3)]
    [InlineData("version: 3\nagent:\n  authtoken: x\n  authtoken: y\n", 4)]
    public void Bad_yaml_names_file_and_line(string yaml, int line)
    {
        (_, List<ConfigProblem> problems) = Parse(yaml);

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigSyntaxError, problem.Code);
        Assert.StartsWith($"{_dir.Path}/burrow.yml:{line}:", problem.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_version_is_refused()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 4\n");

        Assert.Equal(ErrorCodes.ConfigVersionUnsupported, Assert.Single(problems).Code);
        Assert.Contains("burrow.yml:1:10:", problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_without_name_or_upstream_is_reported_where_it_starts()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("version: 3\nendpoints:\n  - url: demo\n    upstream: {url: 8080}\n  - name: web\n");

        Assert.Empty(file.Endpoints);
        Assert.Equal([ErrorCodes.ConfigMissingKey, ErrorCodes.ConfigMissingKey], problems.Select(p => p.Code));
        Assert.Contains(":3:5: 'name' is required in endpoints[0]", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains(":5:5: 'upstream.url' is required in endpoint 'web'", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_name_twice_in_one_file_points_at_the_first()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 3\nendpoints:\n  - name: web\n    upstream: {url: 8080}\ntunnels:\n  web: {addr: 8081}\n");

        ConfigProblem problem = Assert.Single(problems);
        Assert.Same(ErrorCodes.ConfigDuplicateName, problem.Code);
        Assert.Contains(":6:3: the name 'web' is already used at ", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("burrow.yml:3:11.", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 2\ntunnels:\n  w:\n    addr: 80\n    oauth: {provider: google}\n", "oauth")]
    [InlineData("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 80, proxy_protocol: 2}\n", "upstream.proxy_protocol")]
    public void Ngrok_settings_burrow_lacks_are_refused_by_name(string yaml, string key)
    {
        (_, List<ConfigProblem> problems) = Parse(yaml);

        Assert.Contains(problems, p => p.Code == ErrorCodes.ConfigUnsupportedSetting && p.Message.Contains($"'{key}' is not supported", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_traffic_policy_is_reported_at_its_line_in_the_config_file()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 3\nendpoints:\n  - name: w\n    upstream: {url: 80}\n    traffic_policy:\n      on_http_request:\n        - expressions: [\"req.nope == 'x'\"]\n          actions:\n            - type: rate-limit\n              config: {capacity: 10}\n");

        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Equal(ErrorCodes.ConfigInvalidValue, p.Code));
        Assert.Contains(problems, p => p.Message.Contains(":7:", StringComparison.Ordinal) && p.Message.Contains("req.nope", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains(":10:", StringComparison.Ordinal) && p.Message.Contains("'rate' is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_not_only_the_first()
    {
        (_, List<ConfigProblem> problems) = Parse("version: 3\nagent:\n  colour: red\n  log: loud\nendpoints:\n  - name: w\n    upstream: {url: 8080}\n    surprise: 1\n");

        Assert.Equal([ErrorCodes.ConfigUnknownKey, ErrorCodes.ConfigInvalidValue, ErrorCodes.ConfigUnknownKey], problems.Select(p => p.Code));
    }

    [Fact]
    public void Version2_mutual_tls_cas_is_read_from_its_file_into_the_http_tunnels_options()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=clients", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        _dir.Write("clients-ca.pem", ca.ExportCertificatePem());
        _dir.Write("not-a-ca.pem", "no certificate here");

        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: 2
            tunnels:
              web:
                proto: http
                addr: 8080
                mutual_tls_cas: clients-ca.pem
            """);
        Assert.Empty(problems);
        Assert.Equal(ca.ExportCertificatePem(), Assert.Single(file.Endpoints).Tunnel.Options.MutualTlsCas);

        (_, problems) = Parse("""
            version: 2
            tunnels:
              web:
                proto: http
                addr: 8080
                mutual_tls_cas: not-a-ca.pem
            """);
        Assert.Contains(problems, p => p.Code == ErrorCodes.ConfigInvalidValue && p.Message.Contains("holds no PEM certificate", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("yamldotnet-plain-scalar.yml")]
    [InlineData("yamldotnet-unsupported-event.yml")]
    public void A_document_YamlDotNet_fails_on_with_other_exceptions_is_a_syntax_error_not_a_crash(string name)
    {
        // Found by the policy fuzz target (bench/fuzz/regressions/policy): YamlDotNet throws InvalidOperationException
        // or ArgumentException, not YamlException, on these; a config file is read by the same library.
        string yaml = File.ReadAllText(Path.Combine(RepoRoot(), "bench", "fuzz", "regressions", "policy", name));

        (_, List<ConfigProblem> problems) = Parse(yaml);

        Assert.Contains(problems, p => p.Code == ErrorCodes.ConfigSyntaxError);
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Burrow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Burrow.slnx not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Version3_pooling_enabled_asks_the_edge_to_pool_the_endpoint()
    {
        (ConfigFile file, List<ConfigProblem> problems) = Parse("""
            version: 3
            endpoints:
              - name: pooled
                url: api
                pooling_enabled: true
                upstream: {url: 8080}
              - name: alone
                url: web
                pooling_enabled: false
                upstream: {url: 8081}
            """);

        Assert.Empty(problems);
        Assert.True(file.Endpoints[0].Tunnel.Pooling);
        Assert.False(file.Endpoints[1].Tunnel.Pooling);
    }

    private (ConfigFile File, List<ConfigProblem> Problems) Parse(string yaml)
    {
        string path = _dir.Write("burrow.yml", yaml);
        var problems = new List<ConfigProblem>();
        ConfigFile file = new ConfigParser(path, problems).Parse(yaml);
        return (file, problems);
    }
}
