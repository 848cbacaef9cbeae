namespace Burrow.Agent.Events;

/// <summary>The inspector and agent API listen at <paramref name="Url"/>.</summary>
/// <param name="Url">Their base URL, e.g. <c>http://127.0.0.1:4040</c>.</param>
/// <param name="MovedFrom">The port asked for, when it was taken and the next free one was used instead.</param>
public sealed record WebInterfaceStarted(string Url, int? MovedFrom) : AgentEvent;
