namespace Burrow.EndToEnd.Tests.Http.Upstreams;

/// <summary>What a load may expect of one upstream: its greeting, whether <c>/echo</c> returns the body, its idle keep-alive timeout, and whether <c>/close</c> answers with <c>Connection: close</c>.</summary>
public sealed record UpstreamProfile(string Greeting, bool Echoes, TimeSpan KeepAliveTimeout, bool HasCloseRoute);
