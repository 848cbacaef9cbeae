using System.Globalization;
using System.Text;
using System.Threading.RateLimiting;
using Burrow.Edge.Errors;
using Burrow.Edge.Policy.Expressions;
using Burrow.Edge.Policy.Loading;
using Burrow.Protocol.Errors;

namespace Burrow.Edge.Policy.Actions;

/// <summary>
/// <c>rate-limit</c>: at most <c>capacity</c> requests per <c>rate</c> (a sliding window) for each bucket, the bucket
/// being the values of the <c>bucket_key</c> expressions (by default the client's address). Over the limit → 429
/// ERR_BURROW_3102 with Retry-After. One limiter per action, for the life of the tunnel's bind; idle buckets are let go
/// by <see cref="PartitionedRateLimiter"/> itself.
/// </summary>
internal sealed class RateLimitAction : PolicyAction, IDisposable
{
    private readonly CelProgram<PolicyContext>[] _bucketKey;
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly int _capacity;
    private readonly TimeSpan _window;
    private readonly string _name;

    private RateLimitAction(string name, int capacity, TimeSpan window, CelProgram<PolicyContext>[] bucketKey)
    {
        _name = name;
        _capacity = capacity;
        _window = window;
        _bucketKey = bucketKey;
        // Ten segments: the window slides in tenths, so a burst at a boundary cannot pass twice the capacity.
        int segments = window >= TimeSpan.FromSeconds(1) ? 10 : 1;
        var options = new SlidingWindowRateLimiterOptions
        {
            PermitLimit = capacity,
            Window = window,
            SegmentsPerWindow = segments,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => options));
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

        return capacity is null || rate is null ? null : new RateLimitAction(name, (int)capacity, rate.Value, [.. programs]);
    }

    public override async ValueTask<ActionResult> RunAsync(PolicyContext context)
    {
        string key = BucketOf(context);
        using RateLimitLease lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return ActionResult.Continue;
        }

        TimeSpan retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? after : _window / 10;
        int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        string message = ErrorCodes.RateLimited.FormatMessage(_capacity, Durations.Format(_window));
        await ErrorResponder.WriteAsync(context.Http!, ErrorCodes.RateLimited, message, 429,
            response => response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return ActionResult.Stop;
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

    public void Dispose() => _limiter.Dispose();
}
