using System.Globalization;
using System.Text;
using Burrow.Edge.Admin.Models;
using Burrow.Edge.Routing;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

/// <summary>
/// <c>/reserved_domains/{id}/traffic_policy</c> and <c>/reserved_addrs/{id}/traffic_policy</c>: the operator's traffic
/// policy pinned to a reservation, run before the policy of the agent that binds it. The body of a PUT is the document
/// itself (YAML or JSON, any content type); it is compiled before anything is stored, and a live tunnel on the name or
/// port runs the new rules from its next request.
/// </summary>
internal sealed partial class AdminRoutes
{
    private const string PolicyTextType = "text/plain; charset=utf-8";

    // Any content type: curl --data-binary sends a form's, and the routing's content type check would otherwise send it to the fallback (404).

    private void MapDomainPolicy(RouteGroupBuilder group)
    {
        group.MapGet("/{id}/traffic_policy", GetDomainPolicyAsync).Produces<string>(contentType: PolicyTextType).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("The pinned traffic policy, as it was sent.");
        group.MapPut("/{id}/traffic_policy", PinDomainPolicyAsync).Accepts<string>("application/yaml", "application/json", "text/plain", "*/*")
            .Produces<ReservedDomainInfo>().Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Pins a traffic policy (the body: YAML or JSON) to the hostname, run before the agent's; a document with mistakes is refused with ERR_BURROW_2021 and their lines, and nothing is stored.");
        group.MapDelete("/{id}/traffic_policy", UnpinDomainPolicyAsync)
            .Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Clears the pinned traffic policy; a live tunnel stops running it at once.");
    }

    private void MapAddressPolicy(RouteGroupBuilder group)
    {
        group.MapGet("/{id}/traffic_policy", GetAddressPolicyAsync).Produces<string>(contentType: PolicyTextType).Produces<ErrorInfo>(StatusCodes.Status404NotFound);
        group.MapPut("/{id}/traffic_policy", PinAddressPolicyAsync).Accepts<string>("application/yaml", "application/json", "text/plain", "*/*")
            .Produces<ReservedAddressInfo>().Produces<ErrorInfo>(StatusCodes.Status400BadRequest).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Pins a traffic policy (on_tcp_connect only) to the port, run before the agent's.");
        group.MapDelete("/{id}/traffic_policy", UnpinAddressPolicyAsync)
            .Produces(StatusCodes.Status204NoContent).Produces<ErrorInfo>(StatusCodes.Status404NotFound);
    }

    private async Task<IResult> GetDomainPolicyAsync(string id, CancellationToken cancellationToken) =>
        await _store.GetReservedDomainAsync(id, cancellationToken).ConfigureAwait(false) switch
        {
            null => AdminErrors.NotFound("reserved domain", id),
            { TrafficPolicy: null } domain => AdminErrors.NotFound("traffic policy pinned to", domain.Hostname),
            { TrafficPolicy: { } text } => Results.Text(text, PolicyTextType),
        };

    private async Task<IResult> GetAddressPolicyAsync(string id, CancellationToken cancellationToken) =>
        await _store.GetReservedTcpAddressAsync(id, cancellationToken).ConfigureAwait(false) switch
        {
            null => AdminErrors.NotFound("reserved TCP address", id),
            { TrafficPolicy: null } address => AdminErrors.NotFound("traffic policy pinned to port", address.Port.ToString(CultureInfo.InvariantCulture)),
            { TrafficPolicy: { } text } => Results.Text(text, PolicyTextType),
        };

    private async Task<IResult> PinDomainPolicyAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        (string? text, IResult? refused) = await ReadPolicyAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        PinOutcome<ReservedDomain> outcome = await _pinned.PinDomainAsync(id, text, cancellationToken).ConfigureAwait(false);
        if (outcome.Errors is { } errors)
        {
            return AdminErrors.PolicyInvalid(errors, outcome.CheckedFor == TunnelProtocols.Http ? null : outcome.CheckedFor);
        }

        if (outcome.Reservation is not { } domain)
        {
            return AdminErrors.NotFound("reserved domain", id);
        }

        await AuditAsync(context, AuditKinds.DomainPolicySet, domain.AccountId, domain.Hostname).ConfigureAwait(false);
        return Results.Json(domain.ToInfo(), AdminJsonContext.Default.ReservedDomainInfo);
    }

    private async Task<IResult> UnpinDomainPolicyAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        PinOutcome<ReservedDomain> outcome = await _pinned.PinDomainAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (outcome.Reservation is not { } domain)
        {
            return AdminErrors.NotFound("reserved domain", id);
        }

        // Clearing what is not there changes nothing, and is not recorded.
        if (outcome.Previous?.TrafficPolicy is not null)
        {
            await AuditAsync(context, AuditKinds.DomainPolicyCleared, domain.AccountId, domain.Hostname).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private async Task<IResult> PinAddressPolicyAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        (string? text, IResult? refused) = await ReadPolicyAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        PinOutcome<ReservedTcpAddress> outcome = await _pinned.PinAddressAsync(id, text, cancellationToken).ConfigureAwait(false);
        if (outcome.Errors is { } errors)
        {
            return AdminErrors.PolicyInvalid(errors, null);
        }

        if (outcome.Reservation is not { } address)
        {
            return AdminErrors.NotFound("reserved TCP address", id);
        }

        await AuditAsync(context, AuditKinds.TcpAddressPolicySet, address.AccountId, address.Port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        return Results.Json(address.ToInfo(_options.Domain), AdminJsonContext.Default.ReservedAddressInfo);
    }

    private async Task<IResult> UnpinAddressPolicyAsync(string id, HttpContext context, CancellationToken cancellationToken)
    {
        PinOutcome<ReservedTcpAddress> outcome = await _pinned.PinAddressAsync(id, null, cancellationToken).ConfigureAwait(false);
        if (outcome.Reservation is not { } address)
        {
            return AdminErrors.NotFound("reserved TCP address", id);
        }

        if (outcome.Previous?.TrafficPolicy is not null)
        {
            await AuditAsync(context, AuditKinds.TcpAddressPolicyCleared, address.AccountId, address.Port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    /// <summary>The body as text; a body past the size a policy may have is refused before it is all read.</summary>
    private static async Task<(string? Text, IResult? Refused)> ReadPolicyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // A policy is at most MaxTrafficPolicyLength characters; UTF-8 gives each at most 3 bytes (4 for a surrogate pair, which is two).
        const int maxBytes = EndpointOptions.MaxTrafficPolicyLength * 3;
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(request.ContentLength.Value));
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(buffer.Length + read));
            }

            buffer.Write(chunk, 0, read);
        }

        string text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
        return string.IsNullOrWhiteSpace(text)
            ? (null, AdminErrors.BadRequest("the body is the traffic policy document (YAML or JSON) and it is empty; DELETE clears a pinned policy"))
            : (text, null);

        static IResult TooLarge(long bytes) => AdminErrors.Result(ErrorCodes.TrafficPolicyInvalid,
            string.Create(CultureInfo.InvariantCulture, $"the body ({bytes} bytes or more)"), $"a policy is at most {EndpointOptions.MaxTrafficPolicyLength} characters");
    }
}
