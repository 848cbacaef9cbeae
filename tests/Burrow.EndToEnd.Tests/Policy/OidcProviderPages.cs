using System.Diagnostics;
using Microsoft.Playwright;

namespace Burrow.EndToEnd.Tests.Policy;

/// <summary>
/// Signing in at oidc-provider's development pages in a real browser: its login form (hidden <c>prompt=login</c>,
/// fields login and password), then its consent form (hidden <c>prompt=consent</c>) the first time a client asks, or
/// neither when the provider still holds a session. Each step acts on the form the page shows and waits for that form
/// to go: reading <c>page.Url</c> right after a click reads a navigation still under way, and could submit the login
/// page twice and leave the consent page unanswered.
/// </summary>
internal static class OidcProviderPages
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Signs in as <paramref name="login"/> and returns once the browser has left <paramref name="issuer"/>.</summary>
    public static async Task SignInAsync(IPage page, string issuer, string login)
    {
        ILocator loginForm = page.Locator("form:has(input[name=prompt][value=login])");
        ILocator consentForm = page.Locator("form:has(input[name=prompt][value=consent])");
        // With the slash: an app on port 30001 does not start with an issuer on port 3000.
        string atProvider = issuer.TrimEnd('/') + "/";
        var clock = Stopwatch.StartNew();
        while (page.Url.StartsWith(atProvider, StringComparison.Ordinal))
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"still at the provider after {Deadline.TotalSeconds:0} s: {page.Url}");
            }

            try
            {
                if (await loginForm.CountAsync() == 1)
                {
                    await loginForm.Locator("input[name=login]").FillAsync(login);
                    await loginForm.Locator("input[name=password]").FillAsync("any");
                    await loginForm.Locator("button[type=submit]").ClickAsync();
                    await loginForm.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
                    continue;
                }

                if (await consentForm.CountAsync() == 1)
                {
                    await consentForm.Locator("button[type=submit]").ClickAsync();
                    await consentForm.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
                    continue;
                }
            }
            catch (PlaywrightException)
            {
                // The page navigated while it was read: read the next one.
            }

            await Task.Delay(50);
        }
    }
}
