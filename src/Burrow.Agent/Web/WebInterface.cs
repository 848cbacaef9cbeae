using Burrow.Agent.Events;
using Burrow.Agent.Inspection;
using Burrow.Agent.Status;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Web;

/// <summary>
/// The inspector (HTTP capture; it runs even with no web address, since it also counts requests and raises
/// <see cref="AgentRunner.RequestCompleted"/>) and, when an address is set, the web interface and agent API that
/// show it, with this process's entry in <see cref="RunningAgents"/>.
/// </summary>
internal sealed class WebInterface : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly AgentEventSource _events;
    private readonly ILogger _logger;
    private WebServer? _server;
    private string? _runningRecord;

    /// <summary>Starts the inspector; the web server waits for <see cref="StartServerAsync"/>.</summary>
    /// <param name="options">The agent's settings: web address, inspector budget, state directory.</param>
    /// <param name="report">Told of every HTTP request the inspector saw answered.</param>
    /// <param name="events">Told where the web interface listens, or why it does not.</param>
    /// <param name="logger">Diagnostics.</param>
    public WebInterface(AgentOptions options, Action<string, CompletedRequest> report, AgentEventSource events, ILogger logger)
    {
        _options = options;
        _events = events;
        _logger = logger;
        Inspector = new HttpInspector(new CaptureStore(options.InspectBudgetBytes), options.InspectBodyLimit, report, logger);
    }

    public HttpInspector Inspector { get; }

    /// <summary>The web interface's base URL once it listens (set before anyone is told); <see langword="null"/> before, or when there is none.</summary>
    public string? Url => _server?.Url;

    /// <summary>Starts the web server on <see cref="AgentOptions.WebAddress"/>, when there is one.</summary>
    /// <param name="runner">The agent the web interface shows.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public async Task StartServerAsync(AgentRunner runner, CancellationToken cancellationToken)
    {
        if (_options.WebAddress is not { } address)
        {
            return;
        }

        (_server, ProtocolError? error) = await WebServer.StartAsync(runner, address, cancellationToken).ConfigureAwait(false);
        if (_server is null)
        {
            // The tunnels still work without the web interface: say so and go on.
            _events.Raise(new WebInterfaceFailed(error!));
            return;
        }

        LogLine.Info(_logger, 6100, "starting web service", ("addr", _server.Address));
        _events.Raise(new WebInterfaceStarted(_server.Url, _server.MovedFrom));
        if (_options.StateDirectory is { } stateDirectory)
        {
            _runningRecord = RunningAgents.Record(stateDirectory, _server.Url);
        }
    }

    public async ValueTask DisposeAsync()
    {
        RunningAgents.Forget(_runningRecord);
        _runningRecord = null;
        await Inspector.DisposeAsync().ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
