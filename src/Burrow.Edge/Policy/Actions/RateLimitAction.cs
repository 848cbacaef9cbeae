using System.Globalization;
using System.Text;
using Burrow.Edge.Errors;
using Burrow.Edge.Limits;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>rate-limit</c>: at most <c>capacity</c> requests per <c>rate</c> (a sliding window) for each bucket, the bucket
/// being the values of the <c>bucket_key</c> expressions (by default the client's address). Over the limit → 429
/// ERR_BURROW_3102 with Retry-After.
/// </summary>
/// <remarks>
/// The counts live in the edge's <see cref="SlidingWindowCounts"/> under a key that names the endpoint, not this
/// object: the agent's legs on several nodes of a cluster (one agent id) count together, as does an operator's pinned
/// policy for every tunnel of its hostname; pooled endpoints of different agents keep their own counts, as each has
/// its own policy.
/// </remarks>
internal sealed class RateLimitAction : PolicyAction
{
    private readonly CelProgram<PolicyContext>[] _bucketKey;
    private readonly SlidingWindowCounts _counts;
    private readonly WindowShape _shape;
    private readonly int _capacity;
    private readonly string _name;
    private readonly string _path;
    private KeyPrefix? _prefix;

    private RateLimitAction(string name, string path, int capacity, TimeSpan window, CelProgram<PolicyContext>[] bucketKey, SlidingWindowCounts counts)
    {
        _name = name;
        _path = path;
        _capacity = capacity;
        _shape = WindowShape.For(window);
        _bucketKey = bucketKey;
        _counts = counts;
    }

    public override string Type => "rate-limit";

    public static PolicyAction? Create(ActionConfig config)
    {
        config.Known("name", "algorithm", "capacity", "rate", "bucket_key");
        string name = config.String("name") ?? "rate-limit";
        string algorithm = config.String("algorithm") ?? "sliding_window";
        if (algorithm != "sliding_window")
        {
            config.Error("algorithm", $"'{algorithm}' is not served; the algorithm is sliding_window");
        }

        long? capacity = config.Integer("capacity", 1, 10_000_000, required: true);
        TimeSpan? rate = config.Duration("rate", TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), required: true);
        IReadOnlyList<string> keys = config.Strings("bucket_key") ?? ["conn.client_ip"];
        if (keys.Count is 0 or > 8)
        {
            config.Error("bucket_key", "give 1 to 8 expressions whose values make the bucket");
        }

        var programs = new List<CelProgram<PolicyContext>>();
        for (int i = 0; i < keys.Count; i++)
        {
            if (config.Expression($"bucket_key[{i}]", keys[i]) is { } program)
            {
                programs.Add(program);
            }
        }

        return capacity is null || rate is null ? null
            : new RateLimitAction(name, config.Path, (int)capacity, rate.Value, [.. programs], config.Services.Counts);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        KeyPrefix prefix = PrefixFor(context);
        if (_counts.TryTake(prefix.Text + BucketOf(context), prefix.Scope, _capacity, _shape, out TimeSpan retryAfter))
        {
            return ActionResult.Continue;
        }

        int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        string message = ErrorCodes.RateLimited.FormatMessage(_capacity, Durations.Format(_shape.Length));
        await ErrorResponder.WriteAsync(context.Http!, ErrorCodes.RateLimited, message, 429,
            response => response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return ActionResult.Stop;
    }

    // Whose counts these are: one agent's endpoint (its legs share the agent id), or the operator's pin on a hostname;
    // the action's place in the document and its numbers, so two rate-limits of one policy never share a bucket.
    private KeyPrefix PrefixFor(PolicyContext context)
    {
        KeyPrefix? prefix = Volatile.Read(ref _prefix);
        if (prefix is null || !ReferenceEquals(prefix.Tunnel, context.Tunnel))
        {
            Routing.Tunnel tunnel = context.Tunnel;
            string owner = ReferenceEquals(context.Policy, tunnel.AgentPolicy)
                ? "agent " + (tunnel.Session.AgentId is { Length: > 0 } agent ? agent : tunnel.Id)
                : "pinned";
            string text = string.Create(CultureInfo.InvariantCulture,
                $"rate-limit\n{owner}\n{tunnel.Hostname}\n{_path}\n{_capacity}/{_shape.Length.TotalMilliseconds}\n");
            // A tunnel's policy runs on the nodes that hold its legs (traffic entering elsewhere is carried there), so
            // only they need the counts: the route key names them.
            prefix = new KeyPrefix(tunnel, text, tunnel.Hostname.ToLowerInvariant());
            Volatile.Write(ref _prefix, prefix);
        }

        return prefix;
    }

    private string BucketOf(PolicyContext context)
    {
        if (_bucketKey.Length == 1)
        {
            return Format(_bucketKey[0].Evaluate(context));
        }

        var key = new StringBuilder(_name);
        foreach (CelProgram<PolicyContext> part in _bucketKey)
        {
            key.Append('\n').Append(Format(part.Evaluate(context)));
        }

        return key.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable<object?> list => string.Join(",", list),
        _ => value.ToString() ?? "",
    };

    private sealed record KeyPrefix(Routing.Tunnel Tunnel, string Text, string Scope);
}
