using System.Net.Http.Headers;

namespace Burrow.Acme.Client;

/// <summary>
/// Reads a Retry-After header (RFC 9110 section 10.2.3: seconds or an HTTP date) into a wait, clamped to
/// between a minimum and a maximum so a hostile or confused server can neither make the
/// client spin nor park it for a day.
/// </summary>
internal static class RetryAfter
{
    public static DateTimeOffset? When(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => now + delta,
        { Date: { } date } => date,
        _ => null,
    };

    public static TimeSpan Wait(RetryConditionHeaderValue? header, DateTimeOffset now, TimeSpan fallback, TimeSpan minimum, TimeSpan maximum)
    {
        TimeSpan wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => fallback,
        };
        return wait < minimum ? minimum : wait > maximum ? maximum : wait;
    }
}
