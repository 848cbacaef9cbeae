using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Burrow.Protocol.Errors;

namespace Burrow.Protocol.Validation;

/// <summary>The <c>Strict-Transport-Security</c> header (RFC 6797) of a tunnel asking for HSTS.</summary>
public static class StrictTransportSecurity
{
    /// <summary>Two years, the max-age of Mozilla's recommended configuration and what the HSTS preload list asks for.</summary>
    public const long DefaultMaxAge = 63_072_000;

    /// <summary>The longest max-age accepted: ten years. Longer is almost certainly a typo, and cannot be taken back sooner than it ends.</summary>
    public const long MaxMaxAge = 315_360_000;

    /// <summary>The header value for <paramref name="maxAge"/> seconds, or none when <paramref name="maxAge"/> is <see langword="null"/>.</summary>
    /// <param name="maxAge">Seconds; 0 tells browsers to forget the policy.</param>
    /// <param name="includeSubdomains">Whether to add <c>includeSubDomains</c>; needs a max-age.</param>
    /// <param name="value">The header value, or <see langword="null"/> for no header.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error naming the bad value.</param>
    /// <returns>Whether the values are usable.</returns>
    public static bool TryCreate(long? maxAge, bool includeSubdomains, out string? value, [NotNullWhen(false)] out ProtocolError? error)
    {
        value = null;
        error = null;
        if (maxAge is not { } seconds)
        {
            if (includeSubdomains)
            {
                error = ErrorCodes.InvalidOptionValue.ToError("hsts_include_subdomains", "it needs hsts_max_age (--hsts) too");
                return false;
            }

            return true;
        }

        if (seconds is < 0 or > MaxMaxAge)
        {
            error = ErrorCodes.InvalidOptionValue.ToError(
                $"hsts_max_age {seconds.ToString(CultureInfo.InvariantCulture)}", "expected 0 to 315360000 seconds (ten years)");
            return false;
        }

        value = string.Create(CultureInfo.InvariantCulture, $"max-age={seconds}") + (includeSubdomains ? "; includeSubDomains" : "");
        return true;
    }
}
