using System.Text.RegularExpressions;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>
/// <c>matches</c>. Patterns come from users, so they run on .NET's non-backtracking engine (linear in the
/// input, like RE2 which CEL specifies) under a match timeout; constructs that engine lacks (backreferences,
/// lookarounds) are not RE2 either, so refusing them loses nothing CEL promises.
/// </summary>
internal sealed class CelRegex(CelLimits limits)
{
    // The last dynamic pattern and its compiled form, swapped whole so concurrent evaluations never see a
    // torn pair: a policy that builds its pattern from a request usually builds the same one every time.
    private sealed record Entry(string Pattern, Regex Regex);

    private Entry? _last;

    /// <summary>Compiles a pattern, or says why it cannot be compiled.</summary>
    public static Regex? TryCompile(string pattern, CelLimits limits, out string? error)
    {
        error = null;
        if (pattern.Length > limits.MaxRegexLength)
        {
            error = $"regular expression is longer than {limits.MaxRegexLength} characters";
            return null;
        }

        try
        {
            var regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, limits.RegexMatchTimeout);
            WarmUp(regex);
            return regex;
        }
        catch (ArgumentException ex)
        {
            error = $"invalid regular expression: {ex.Message}";
        }
        catch (NotSupportedException ex)
        {
            error = $"unsupported regular expression: {ex.Message}";
        }

        return null;
    }

    // The engine builds its automaton lazily on the first match, and that first match also pays for the
    // JIT of the engine's code: measured at 200 ms on a busy 2-core machine, four times the default
    // timeout. One throwaway match here moves that cost to compile time, off the request path.
    internal static void WarmUp(Regex regex, string sample = "warm-up 0123456789")
    {
        try
        {
            regex.IsMatch(sample);
        }
        catch (RegexMatchTimeoutException)
        {
            // Slow once is fine here; the real matches run against a warm engine.
        }
    }

    // The timeout is wall-clock, so a GC pause or a starved core (tests in parallel, a busy edge) can
    // trip it on a match that is linear and short. One retry tells the two apart: a truly expensive match
    // times out again, and the cost of a hostile one stays bounded at twice the timeout.
    public static bool IsMatch(Regex regex, string input)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return regex.IsMatch(input);
            }
            catch (RegexMatchTimeoutException) when (attempt == 1)
            {
            }
            catch (RegexMatchTimeoutException)
            {
                throw new CelEvaluationException("matches: regular expression took too long");
            }
        }
    }

    /// <summary>Matches against a pattern known only at evaluation time.</summary>
    public bool IsMatch(string input, string pattern)
    {
        Entry? last = _last;
        if (last is null || !string.Equals(last.Pattern, pattern, StringComparison.Ordinal))
        {
            Regex regex = TryCompile(pattern, limits, out string? error) ?? throw new CelEvaluationException($"matches: {error}");
            last = new Entry(pattern, regex);
            _last = last;
        }

        return IsMatch(last.Regex, input);
    }
}
