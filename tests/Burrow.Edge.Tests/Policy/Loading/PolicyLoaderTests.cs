using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;

namespace Burrow.Edge.Tests.Policy.Loading;

/// <summary>A policy document is compiled whole or refused with where and why; hostile documents cost a refusal.</summary>
public sealed class PolicyLoaderTests
{
    private static PolicyLoadResult Load(string text, string proto = "http") => PolicyLoader.Load(text, proto, PolicyServices.ForValidation());

    [Fact]
    public void A_valid_document_compiles_every_phase_rule_and_action()
    {
        PolicyLoadResult result = Load("""
            on_tcp_connect:
              - actions: [{type: restrict-ips, config: {allow: [10.0.0.0/8]}}]
            on_http_request:
              - name: api
                expressions: ["req.url.path.startsWith('/api')", "req.method in ['GET', 'POST']"]
                actions:
                  - type: rate-limit
                    config: {capacity: 10, rate: 1m, bucket_key: ["conn.client_ip"]}
                  - type: add-headers
                    config: {headers: {x-path: "${req.url.path}"}}
            on_http_response:
              - actions: [{type: remove-headers, config: {headers: [server]}}]
            """);

        Assert.Empty(result.Errors);
        using TrafficPolicy policy = result.Policy!;
        Assert.Single(policy.OnTcpConnect.Rules);
        Assert.Equal("api", policy.OnHttpRequest.Rules[0].Name);
        Assert.Equal(2, policy.OnHttpRequest.Rules[0].Expressions.Length);
        Assert.Equal(["rate-limit", "add-headers"], policy.OnHttpRequest.Rules[0].Actions.Select(a => a.Type));
    }

    [Fact]
    public void The_json_form_and_ngroks_older_inbound_outbound_keys_are_read()
    {
        PolicyLoadResult result = Load("""{"Inbound":[{"Name":"x","Expressions":["req.method == 'GET'"],"Actions":[{"Type":"deny","Config":{"status_code":451}}]}],"Outbound":[]}""");

        Assert.Empty(result.Errors);
        Assert.Equal("x", result.Policy!.OnHttpRequest.Rules[0].Name);
    }

    [Theory]
    [InlineData("on_http_request:\n  - actions: [{type: teleport}]\n", 2, "on_http_request[0].actions[0].type", "unknown action type 'teleport'")]
    [InlineData("on_http_request:\n  - expressions: [\"res.status_code == 200\"]\n    actions: [{type: deny}]\n", 2, "on_http_request[0].expressions[0]", "res.status_code")]
    [InlineData("on_http_response:\n  - actions: [{type: redirect, config: {to: /x}}]\n", 2, "on_http_response[0].actions[0].type", "redirect does not run in on_http_response")]
    [InlineData("on_http_request:\n  - actions:\n      - type: deny\n        config: {status_code: 99}\n", 4, "on_http_request[0].actions[0].config.status_code", "from 100 to 599")]
    [InlineData("on_http_request:\n  - actions:\n      - type: rate-limit\n        config: {capacity: 3, rate: soon}\n", 4, "on_http_request[0].actions[0].config.rate", "not a duration")]
    [InlineData("on_http_request:\n  - actions:\n      - type: add-headers\n        config: {headres: {a: b}}\n", 4, "on_http_request[0].actions[0].config.headres", "unknown key 'headres'")]
    [InlineData("on_http_request:\n  - actions:\n      - type: verify-webhook\n        config: {provider: nobody, secret: s}\n", 4, "on_http_request[0].actions[0].config.provider", "not a provider")]
    [InlineData("on_http_request:\n  - actions:\n      - type: url-rewrite\n        config: {from: \"(a\", to: /b}\n", 4, "on_http_request[0].actions[0].config.from", "not a valid regular expression")]
    [InlineData("on_http_request:\n  - actions:\n      - type: add-headers\n        config: {headers: {x: \"${req.method\"}}\n", 4, "on_http_request[0].actions[0].config.headers.x", "")]
    [InlineData("on_http_request:\n  - expressions: [\"req.url.nope == '/x'\"]\n    actions: [{type: deny}]\n", 2, "on_http_request[0].expressions[0]", "req.url has authority, host, path, port, query, query_params, raw_path, scheme")]
    [InlineData("on_tcp_connect:\n  - expressions: [\"conn.tls.client.subject.cn == 'a'\"]\n    actions: [{type: deny}]\n", 2, "on_tcp_connect[0].expressions[0]", "conn.tls.client.subject has common_name")]
    [InlineData("on_request: []\n", 1, "on_request", "unknown phase")]
    [InlineData("on_http_request:\n  - name: no actions\n", 2, "on_http_request[0]", "a rule needs actions")]
    public void A_mistake_is_reported_at_its_line_and_key_path(string yaml, int line, string path, string message)
    {
        PolicyLoadResult result = Load(yaml);

        Assert.Null(result.Policy);
        PolicyError error = result.Errors[0];
        Assert.True(error.Line == line && error.Path == path && error.Message.Contains(message, StringComparison.Ordinal), string.Join("; ", result.Errors));
    }

    [Fact]
    public void Http_phases_are_refused_on_tcp_and_tls_tunnels()
    {
        PolicyLoadResult result = Load("on_http_request:\n  - actions: [{type: deny}]\n", "tcp");

        Assert.Contains("has only on_tcp_connect", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_and_nothing_is_half_applied()
    {
        PolicyLoadResult result = Load("on_http_request:\n  - actions: [{type: deny}]\n  - actions: [{type: nope}]\n  - expressions: [\"1 +\"]\n    actions: [{type: deny}]\n");

        Assert.Null(result.Policy);
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Deep_nesting_aliases_and_oversized_documents_are_refused_quickly()
    {
        Assert.Contains("nests deeper", Assert.Single(Load(new string('[', 50_000)).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("anchors and aliases", Assert.Single(Load("a: &x [1]\nb: *x\n").Errors).Message, StringComparison.Ordinal);
        Assert.Contains("characters", Assert.Single(Load(new string(' ', 70_000)).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", Assert.Single(Load("on_http_request: [\n").Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_document_is_an_empty_policy()
    {
        Assert.True(Load("").Policy!.IsEmpty);
    }
}
