using Burrow.Acme.Client;
using Burrow.Acme.Jws;
using Burrow.Acme.Tests.Pebble;
using Burrow.Protocol.Errors;

namespace Burrow.Acme.Tests.Client;

public sealed class AccountTests : IClassFixture<PebbleFixture>
{
    private readonly AcmeHarness _harness;

    public AccountTests(PebbleFixture fixture) => _harness = fixture.Harness;

    [Fact]
    public async Task New_account_has_the_contact_and_is_found_again_by_its_key()
    {
        var key = AccountKey.Create();
        var client = _harness.NewClient(key);
        var account = await client.CreateAccountAsync(["mailto:ops@burrow.test"], agreeToTerms: true, TestContext.Current.CancellationToken);

        Assert.Equal("valid", account.Status);
        Assert.Equal(["mailto:ops@burrow.test"], account.Contact);
        var again = _harness.NewClient(AccountKey.FromPem(key.ExportPem()));
        await again.FindAccountAsync(TestContext.Current.CancellationToken);
        Assert.Equal(client.AccountUrl, again.AccountUrl);
    }

    [Fact]
    public async Task Contact_update_replaces_the_contact()
    {
        var client = await _harness.NewAccountAsync();

        var updated = await client.UpdateContactAsync(["mailto:new@burrow.test"], TestContext.Current.CancellationToken);

        Assert.Equal(["mailto:new@burrow.test"], updated.Contact);
        Assert.Equal(["mailto:new@burrow.test"], (await client.GetAccountAsync(TestContext.Current.CancellationToken)).Contact);
    }

    [Fact]
    public async Task Key_rollover_moves_the_account_to_the_new_key_and_the_old_key_finds_nothing()
    {
        var oldKey = AccountKey.Create();
        var client = _harness.NewClient(oldKey);
        await client.CreateAccountAsync([], agreeToTerms: true, TestContext.Current.CancellationToken);
        var newKey = AccountKey.Create();

        await client.RolloverKeyAsync(newKey, TestContext.Current.CancellationToken);

        Assert.Same(newKey, client.Key);
        var withNew = _harness.NewClient(newKey);
        await withNew.FindAccountAsync(TestContext.Current.CancellationToken);
        Assert.Equal(client.AccountUrl, withNew.AccountUrl);
        var error = await Assert.ThrowsAsync<AcmeException>(() => _harness.NewClient(oldKey).FindAccountAsync(TestContext.Current.CancellationToken));
        Assert.Equal("urn:ietf:params:acme:error:accountDoesNotExist", error.ProblemType);
        Assert.Same(ErrorCodes.AcmeProblem, error.Code);
        // The account still works with the new key.
        Assert.Equal("valid", (await client.GetAccountAsync(TestContext.Current.CancellationToken)).Status);
    }
}
