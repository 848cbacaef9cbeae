using System.Net;
using Burrow.Edge.Cluster;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Commands;

/// <summary><c>burrow server</c>'s cluster flags (<c>--node-name</c> and the ones that only mean something with it).</summary>
internal static class ClusterFlags
{
    /// <summary>The cluster settings, <see langword="null"/> without <c>--node-name</c>; <paramref name="error"/> (coded) when the flags cannot work.</summary>
    public static ClusterOptions? Read(string? nodeName, string? nodeAddr, IPEndPoint? nodeListen, string? ca, string? certificate, string? key, out string? error)
    {
        error = null;
        if (nodeName is null)
        {
            if (nodeAddr is not null || nodeListen is not null || ca is not null || certificate is not null || key is not null)
            {
                error = ErrorCodes.ClusterSettingsInvalid.ToError("--node-addr, --node-listen, --cluster-ca, --cluster-cert and --cluster-key need --node-name").ToString();
            }

            return null;
        }

        if (nodeAddr is null)
        {
            error = ErrorCodes.ClusterSettingsInvalid.ToError("--node-name needs --node-addr, the host:port other nodes reach this one at").ToString();
            return null;
        }

        var options = new ClusterOptions
        {
            NodeName = nodeName,
            NodeAddress = nodeAddr,
            ListenEndPoint = nodeListen,
            CaCertificatePath = ca,
            CertificatePath = certificate,
            KeyPath = key,
        };
        error = options.Validate() is { } invalid ? ErrorCodes.ClusterSettingsInvalid.ToError(invalid).ToString() : null;
        return error is null ? options : null;
    }
}
