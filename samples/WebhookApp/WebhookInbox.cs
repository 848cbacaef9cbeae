using System.Collections.Concurrent;

/// <summary>The webhooks received, newest last.</summary>
public sealed class WebhookInbox
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    public void Add(ReceivedWebhook webhook) => _received.Enqueue(webhook);

    public IReadOnlyList<ReceivedWebhook> All() => [.. _received];
}

/// <summary>One webhook: who sent it (the path's last segment) and its body.</summary>
public sealed record ReceivedWebhook(string Source, string Body, DateTimeOffset At);
