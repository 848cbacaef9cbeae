using System.CommandLine;
using Burrow.Edge.Policy;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Cli.Commands;

/// <summary>
/// <c>--traffic-policy-file FILE</c> on http, tcp and tls: the document is read and checked here first, so a mistake
/// is reported with the file's name, line and column before anything connects; the edge checks it again at bind.
/// </summary>
internal static class TrafficPolicyFileOption
{
    public static Option<string?> Create() =>
        new("--traffic-policy-file") { Description = "A traffic policy (YAML or JSON: on_tcp_connect, on_http_request, on_http_response) enforced at the edge; see docs/traffic-policy.md." };

    /// <summary>The document's text to send, or the <c>ERR_BURROW_2021</c> error saying where it is wrong.</summary>
    public static (string? Text, ProtocolError? Error) Read(string? path, string proto)
    {
        if (path is null)
        {
            return (null, null);
        }

        string text;
        try
        {
            var file = new FileInfo(path);
            if (file.Exists && file.Length > EndpointOptions.MaxTrafficPolicyLength * 4L)
            {
                return (null, ErrorCodes.TrafficPolicyInvalid.ToError(path, $"the file is {file.Length} bytes; a policy is at most {EndpointOptions.MaxTrafficPolicyLength} characters"));
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, ErrorCodes.TrafficPolicyInvalid.ToError(path, $"it cannot be read: {ex.Message.Trim().TrimEnd('.')}"));
        }

        PolicyLoadResult loaded = PolicyLoader.Load(text, proto, PolicyServices.ForValidation());
        loaded.Policy?.Dispose();
        if (loaded.Errors.Count > 0)
        {
            PolicyError first = loaded.Errors[0];
            string more = loaded.Errors.Count > 1 ? $" (and {loaded.Errors.Count - 1} more: {string.Join("; ", loaded.Errors.Skip(1).Take(4))})" : "";
            return (null, ErrorCodes.TrafficPolicyInvalid.ToError($"{path} {first.Where}", first.Message + more));
        }

        return (text, null);
    }
}
