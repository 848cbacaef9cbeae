using Burrow.Edge.Admin.Models;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapAuthtokens(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAuthtokensAsync).Produces<IReadOnlyList<AuthtokenInfo>>();
        group.MapPost("/", CreateAuthtokenAsync).Produces<CreatedAuthtokenInfo>(StatusCodes.Status201Created).Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Creates an authtoken. The answer holds its secret, the only time it is shown.");
        group.MapGet("/{id}", GetAuthtokenAsync).Produces<AuthtokenInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", UpdateScopesAsync).Produces<AuthtokenInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Replaces the token's scopes.");
        group.MapDelete("/{id}", RevokeAuthtokenAsync).Produces<AuthtokenInfo>().Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Revokes the token; it stays listed, with revoked_at set.");
    }

    private async Task<IResult> ListAuthtokensAsync([FromQuery(Name = "account_id")] string? accountId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Authtoken> tokens = await _store.ListAuthtokensAsync(string.IsNullOrWhiteSpace(accountId) ? null : accountId, cancellationToken).ConfigureAwait(false);
        return Results.Json<IReadOnlyList<AuthtokenInfo>>([.. tokens.Select(t => t.ToInfo())], AdminJsonContext.Default.IReadOnlyListAuthtokenInfo);
    }

    private async Task<IResult> CreateAuthtokenAsync(AuthtokenRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return AdminErrors.BadRequest("name is required");
        }

        if (request.ExpiresAt is { } expiry && expiry <= _time.GetUtcNow())
        {
            return AdminErrors.BadRequest("expires_at is in the past");
        }

        CreatedAuthtoken created = await _store.CreateAuthtokenAsync(new NewAuthtoken
        {
            AccountId = AccountFor(context, request.AccountId),
            Name = request.Name.Trim(),
            ExpiresAt = request.ExpiresAt,
            Scopes = request.Scopes.ToScopes(),
        }, cancellationToken).ConfigureAwait(false);
        Authtoken token = created.Token;
        await AuditAsync(context, AuditKinds.TokenCreated, token.AccountId, token.Name, authtokenId: token.Id).ConfigureAwait(false);
        return Results.Json(new CreatedAuthtokenInfo(token.ToInfo(), created.Secret), AdminJsonContext.Default.CreatedAuthtokenInfo, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> GetAuthtokenAsync(string id, CancellationToken cancellationToken)
    {
        Authtoken? token = await _store.GetAuthtokenAsync(id, cancellationToken).ConfigureAwait(false);
        return token is null ? AdminErrors.NotFound("authtoken", id) : Results.Json(token.ToInfo(), AdminJsonContext.Default.AuthtokenInfo);
    }

    private async Task<IResult> UpdateScopesAsync(string id, ScopesInfo scopes, CancellationToken cancellationToken)
    {
        Authtoken? token = await _store.UpdateAuthtokenScopesAsync(id, scopes.ToScopes(), cancellationToken).ConfigureAwait(false);
        return token is null ? AdminErrors.NotFound("authtoken", id) : Results.Json(token.ToInfo(), AdminJsonContext.Default.AuthtokenInfo);
    }

    private async Task<IResult> RevokeAuthtokenAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        Authtoken? token = await _store.RevokeAuthtokenAsync(id, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return AdminErrors.NotFound("authtoken", id);
        }

        await AuditAsync(context, AuditKinds.TokenRevoked, token.AccountId, token.Name, authtokenId: token.Id).ConfigureAwait(false);
        return Results.Json(token.ToInfo(), AdminJsonContext.Default.AuthtokenInfo);
    }
}
