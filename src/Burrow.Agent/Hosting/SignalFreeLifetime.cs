using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Burrow.Agent.Hosting;

/// <summary>
/// The lifetime of the servers this library hosts inside the `burrow` process. The generic host's default
/// (ConsoleLifetime) takes SIGINT and SIGTERM for itself and cancels their default action: every embedded server would
/// start stopping on its own at the first Ctrl+C, racing the orderly stop of the process, and a second Ctrl+C could
/// never end the process. Signals belong to the executable; the servers stop when told to.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public static void Use(IServiceCollection services) => services.AddSingleton<IHostLifetime, SignalFreeLifetime>();

    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
