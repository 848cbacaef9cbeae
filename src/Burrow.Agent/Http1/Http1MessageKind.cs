namespace Burrow.Agent.Http1;

/// <summary>Which direction a parser reads: requests (client to upstream) or responses.</summary>
internal enum Http1MessageKind
{
    Request,
    Response,
}
