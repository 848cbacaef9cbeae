using System.Globalization;
using Burrow.Edge.Admin.Models;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Validation;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapReservedDomains(RouteGroupBuilder group)
    {
        group.MapGet("/", ListDomainsAsync).Produces<IReadOnlyList<ReservedDomainInfo>>();
        group.MapPost("/", ReserveDomainAsync).Produces<ReservedDomainInfo>(StatusCodes.Status201Created).Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status409Conflict)
            .WithDescription("Reserves a hostname: a bare label means that label under the edge's base domain.");
        group.MapDelete("/{id}", ReleaseDomainAsync).Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        MapDomainPolicy(group);
    }

    private void MapReservedAddresses(RouteGroupBuilder group)
    {
        group.MapGet("/", ListAddressesAsync).Produces<IReadOnlyList<ReservedAddressInfo>>();
        group.MapPost("/", ReserveAddressAsync).Produces<ReservedAddressInfo>(StatusCodes.Status201Created).Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status409Conflict);
        group.MapDelete("/{id}", ReleaseAddressAsync).Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        MapAddressPolicy(group);
    }

    private async Task<IResult> ListDomainsAsync([FromQuery(Name = "account_id")] string? accountId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ReservedDomain> domains = await _store.ListReservedDomainsAsync(string.IsNullOrWhiteSpace(accountId) ? null : accountId, cancellationToken).ConfigureAwait(false);
        return Results.Json<IReadOnlyList<ReservedDomainInfo>>([.. domains.Select(d => d.ToInfo())], AdminJsonContext.Default.IReadOnlyListReservedDomainInfo);
    }

    private async Task<IResult> ReserveDomainAsync(ReservedDomainRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        string name = (request.Hostname ?? "").Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0)
        {
            return AdminErrors.BadRequest("hostname is required");
        }

        // A bare label is a subdomain of the base domain, as an agent's --subdomain would be.
        string hostname = name.Contains('.', StringComparison.Ordinal) ? name : $"{name}.{_options.Domain}";
        if (!HostNames.TryValidateHostname(hostname, out ProtocolError? error))
        {
            return AdminErrors.BadRequest(error.Message.TrimEnd('.'));
        }

        ReservedDomain domain = await _store.ReserveDomainAsync(AccountFor(context, request.AccountId), hostname, request.Description, cancellationToken).ConfigureAwait(false);
        await AuditAsync(context, AuditKinds.DomainReserved, domain.AccountId, domain.Hostname).ConfigureAwait(false);
        return Results.Json(domain.ToInfo(), AdminJsonContext.Default.ReservedDomainInfo, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> ReleaseDomainAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        // Looked up first so the audit event names the account and hostname, not only the id.
        ReservedDomain? domain = await _store.GetReservedDomainAsync(id, cancellationToken).ConfigureAwait(false);
        if (domain is null || !await _store.ReleaseDomainAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return AdminErrors.NotFound("reserved domain", id);
        }

        // Its pinned policy went with it: a tunnel live on the name stops running it.
        await _pinned.ReleasedAsync(domain.Hostname).ConfigureAwait(false);
        await AuditAsync(context, AuditKinds.DomainReleased, domain.AccountId, domain.Hostname).ConfigureAwait(false);
        return Results.NoContent();
    }

    private async Task<IResult> ListAddressesAsync([FromQuery(Name = "account_id")] string? accountId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ReservedTcpAddress> addresses = await _store.ListReservedTcpAddressesAsync(string.IsNullOrWhiteSpace(accountId) ? null : accountId, cancellationToken).ConfigureAwait(false);
        return Results.Json<IReadOnlyList<ReservedAddressInfo>>([.. addresses.Select(a => a.ToInfo(_options.Domain))], AdminJsonContext.Default.IReadOnlyListReservedAddressInfo);
    }

    private async Task<IResult> ReserveAddressAsync(ReservedAddressRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        if (request.Port is not { } port || port is < 1 or > 65535)
        {
            return AdminErrors.BadRequest("port must be 1 to 65535");
        }

        ReservedTcpAddress address = await _store.ReserveTcpAddressAsync(AccountFor(context, request.AccountId), port, request.Description, cancellationToken).ConfigureAwait(false);
        await AuditAsync(context, AuditKinds.TcpAddressReserved, address.AccountId, port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return Results.Json(address.ToInfo(_options.Domain), AdminJsonContext.Default.ReservedAddressInfo, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> ReleaseAddressAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        ReservedTcpAddress? address = await _store.GetReservedTcpAddressAsync(id, cancellationToken).ConfigureAwait(false);
        if (address is null || !await _store.ReleaseTcpAddressAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return AdminErrors.NotFound("reserved TCP address", id);
        }

        await _pinned.ReleasedAsync(_pinned.TcpSubject(address.Port)).ConfigureAwait(false);
        await AuditAsync(context, AuditKinds.TcpAddressReleased, address.AccountId, address.Port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return Results.NoContent();
    }
}
