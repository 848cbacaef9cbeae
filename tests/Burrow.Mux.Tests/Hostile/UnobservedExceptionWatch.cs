using System.Collections.Concurrent;
using System.Diagnostics;
using Burrow.Mux.Sessions;

namespace Burrow.Mux.Tests.Hostile;

/// <summary>
/// Catches exceptions that escaped the session's own tasks: faulted tasks nobody awaited surface
/// through <see cref="TaskScheduler.UnobservedTaskException"/> when the GC finalizes them. The
/// event is process-wide, so only exceptions thrown through Burrow.Mux code count.
/// </summary>
internal sealed class UnobservedExceptionWatch : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedExceptionWatch() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    /// <summary>Finalizes what is garbage now and fails if any of it was a Mux task that faulted unobserved.</summary>
    public void AssertNone()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.True(_seen.IsEmpty, $"unobserved exceptions from Burrow.Mux:\n{string.Join("\n---\n", _seen)}");
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        foreach (var inner in e.Exception.Flatten().InnerExceptions)
        {
            if (ThrownThroughMux(inner))
            {
                _seen.Enqueue(inner);
            }
        }
    }

    private static bool ThrownThroughMux(Exception exception)
    {
        var mux = typeof(MuxSession).Assembly;
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex.GetType().Assembly == mux || new StackTrace(ex).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == mux))
            {
                return true;
            }
        }

        return false;
    }
}
