using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapAccounts(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAccountsAsync).Produces<IReadOnlyList<AccountInfo>>();
        group.MapPost("/", CreateAccountAsync).Produces<AccountInfo>(StatusCodes.Status201Created).Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status409Conflict);
        group.MapGet("/{id}", GetAccountAsync).Produces<AccountInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", RenameAccountAsync).Produces<AccountInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound).Produces<ErrorInfo>(StatusCodes.Status409Conflict);
        group.MapDelete("/{id}", DeleteAccountAsync).Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound);
    }

    private async Task<IResult> ListAccountsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Account> accounts = await _store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json<IReadOnlyList<AccountInfo>>([.. accounts.Select(a => a.ToInfo())], AdminJsonContext.Default.IReadOnlyListAccountInfo);
    }

    private async Task<IResult> CreateAccountAsync(AccountRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return AdminErrors.BadRequest("name is required");
        }

        Account account = await _store.CreateAccountAsync(request.Name.Trim(), cancellationToken).ConfigureAwait(false);
        await AuditAsync(context, AuditKinds.AccountCreated, account.Id, account.Name).ConfigureAwait(false);
        return Results.Json(account.ToInfo(), AdminJsonContext.Default.AccountInfo, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> GetAccountAsync(string id, CancellationToken cancellationToken)
    {
        Account? account = await _store.GetAccountAsync(id, cancellationToken).ConfigureAwait(false);
        return account is null ? AdminErrors.NotFound("account", id) : Results.Json(account.ToInfo(), AdminJsonContext.Default.AccountInfo);
    }

    private async Task<IResult> RenameAccountAsync(string id, AccountRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return AdminErrors.BadRequest("name is required");
        }

        Account? account = await _store.RenameAccountAsync(id, request.Name.Trim(), cancellationToken).ConfigureAwait(false);
        return account is null ? AdminErrors.NotFound("account", id) : Results.Json(account.ToInfo(), AdminJsonContext.Default.AccountInfo);
    }

    private async Task<IResult> DeleteAccountAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        Account? account = await _store.GetAccountAsync(id, cancellationToken).ConfigureAwait(false);
        if (account is null || !await _store.DeleteAccountAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return AdminErrors.NotFound("account", id);
        }

        await AuditAsync(context, AuditKinds.AccountDeleted, id, account.Name).ConfigureAwait(false);
        return Results.NoContent();
    }
}
