using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using Burrow.Edge.Policy.Expressions;
using Burrow.Mux.Errors;
using Burrow.Mux.Muxado;
using Burrow.Mux.Sessions;
using Burrow.Mux.Streams;
using Burrow.Protocol.Codec;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Serialization;

namespace Burrow.Fuzz;

/// <summary>
/// The fuzz targets: each takes arbitrary bytes and throws <see cref="FuzzFindingException"/> (or lets any
/// unexpected exception out) only when the code under test misbehaves. Refusing the bytes with the
/// protocol's own error is the expected outcome for nearly every input.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets by name, as the command line and the corpus folders call them.</summary>
    public static IReadOnlyDictionary<string, Func<byte[], Task>> All { get; } = new Dictionary<string, Func<byte[], Task>>(StringComparer.Ordinal)
    {
        ["control"] = ControlAsync,
        ["frames"] = FramesAsync,
        ["muxado"] = MuxadoAsync,
        ["cel"] = CelAsync,
        ["policy"] = PolicyAsync,
    };

    /// <summary>
    /// The control message decoder: the bytes as one message body, then as a stream of
    /// length-prefixed messages. Only <see cref="ProtocolException"/> may come out; whatever parses
    /// must serialize and parse back to the same type.
    /// </summary>
    public static async Task ControlAsync(byte[] input)
    {
        try
        {
            ControlMessage message = ControlMessageSerializer.Deserialize(input);
            byte[] again = ControlMessageSerializer.SerializeToUtf8Bytes(message);
            ControlMessage back = ControlMessageSerializer.Deserialize(again);
            if (back.Type != message.Type)
            {
                throw new FuzzFindingException($"'{message.Type}' came back as '{back.Type}' after a round trip");
            }
        }
        catch (ProtocolException)
        {
            // Refused with a code: expected.
        }

        var reader = new ControlMessageReader(new MemoryStream(input, writable: false));
        try
        {
            for (int i = 0; i < 1024; i++)
            {
                if (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false) is null)
                {
                    return;
                }
            }

            throw new FuzzFindingException("the reader returned over 1024 messages from one input");
        }
        catch (ProtocolException)
        {
            // Refused with a code: expected.
        }
    }

    /// <summary>
    /// The mux frame reader: the bytes arrive as a client's half of a connection to a server
    /// session, which must accept, refuse or end on them, and finish within a bound once the
    /// bytes run out; every stream it accepts is read to its end.
    /// </summary>
    public static async Task FramesAsync(byte[] input)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var session = MuxSession.Server(new DuplexPipe(toServer.Reader, fromServer.Writer), new MuxOptions
        {
            EnableKeepAlive = false,
            AcceptBacklog = 8,
            MaxConcurrentStreams = 16,
        });
        Task drainOutput = DrainAsync(fromServer.Reader);
        Task accept = AcceptAllAsync(session);
        await toServer.Writer.WriteAsync(input).ConfigureAwait(false);
        await toServer.Writer.CompleteAsync().ConfigureAwait(false);

        MuxCloseInfo info;
        try
        {
            info = await session.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new FuzzFindingException("the session did not end within 5 s of its transport ending");
        }

        if (info.Reason is not (MuxCloseReason.TransportClosed or MuxCloseReason.ProtocolError or MuxCloseReason.RemoteGoAway))
        {
            throw new FuzzFindingException($"the session ended for an unexpected reason: {info}");
        }

        await session.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(accept, drainOutput).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new FuzzFindingException("the session's streams or output did not finish within 5 s of its end");
        }
    }

    /// <summary>
    /// The muxado frame reader (ngrok's clients): the bytes arrive as a client's half of a connection to a server
    /// session, which must accept, reset or end on them, and finish within a bound once the bytes run out; every
    /// stream it accepts is read to its end.
    /// </summary>
    public static async Task MuxadoAsync(byte[] input)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        var session = MuxadoSession.Server(new PipeStream(toServer.Reader, fromServer.Writer), new MuxadoOptions { MaxStreams = 16, AcceptBacklog = 8 });
        Task drainOutput = DrainAsync(fromServer.Reader);
        Task accept = AcceptAllAsync(session);
        await toServer.Writer.WriteAsync(input).ConfigureAwait(false);
        await toServer.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            await session.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new FuzzFindingException("the muxado session did not end within 5 s of its transport ending");
        }

        await session.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(accept, drainOutput).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new FuzzFindingException("the muxado session's streams or output did not finish within 5 s of its end");
        }
    }

    // Made on first use, not in this class's static constructor: under afl the edge assembly is instrumented, and its
    // code may run only once SharpFuzz's Fuzzer.Run has mapped the coverage memory.
    private static Burrow.Edge.Policy.PolicyServices? s_policyServices;

    private static Burrow.Edge.Policy.PolicyServices PolicyServices => s_policyServices ??= Burrow.Edge.Policy.PolicyServices.ForValidation();

    /// <summary>
    /// The traffic policy loader: the bytes as a YAML/JSON document for an http and a tcp tunnel. A refusal comes back
    /// as errors; any exception, or a load past a second, is a finding.
    /// </summary>
    public static Task PolicyAsync(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var clock = Stopwatch.StartNew();
        foreach (string proto in (string[])["http", "tcp"])
        {
            Burrow.Edge.Policy.Loading.PolicyLoadResult result = Burrow.Edge.Policy.Loading.PolicyLoader.Load(text, proto, PolicyServices);
            result.Policy?.Dispose();
            if (result.Policy is null && result.Errors.Count == 0)
            {
                throw new FuzzFindingException("a document was neither loaded nor refused with a reason");
            }
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(1))
        {
            throw new FuzzFindingException($"loading took {clock.Elapsed.TotalMilliseconds:0} ms");
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The policy expression engine: the bytes as UTF-8 are compiled as an expression and as a template,
    /// then evaluated against a small request. Refusing them with <see cref="CelCompileException"/> or
    /// failing with <see cref="CelEvaluationException"/> is expected; anything else, or an evaluation
    /// that runs past a second, is a finding.
    /// </summary>
    public static Task CelAsync(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var clock = Stopwatch.StartNew();
        try
        {
            CelProgram<CelFuzzRequest> program = CelFuzzRequest.Environment.Compile(text);
            try
            {
                program.Evaluate(CelFuzzRequest.Sample);
            }
            catch (CelEvaluationException)
            {
                // A failed evaluation: expected.
            }
        }
        catch (CelCompileException)
        {
            // Refused at compile time: expected.
        }

        try
        {
            CelFuzzRequest.Environment.CompileTemplate(text).Render(CelFuzzRequest.Sample);
        }
        catch (Exception ex) when (ex is CelCompileException or CelEvaluationException)
        {
            // Refused or failed: expected.
        }

        return clock.Elapsed > TimeSpan.FromSeconds(1)
            ? throw new FuzzFindingException($"one input took {clock.Elapsed.TotalMilliseconds:0} ms")
            : Task.CompletedTask;
    }

    private static async Task AcceptAllAsync(MuxadoSession session)
    {
        var readers = new List<Task>();
        try
        {
            while (true)
            {
                MuxadoStream stream = await session.AcceptStreamAsync().ConfigureAwait(false);
                readers.Add(ReadToEndAsync(stream));
            }
        }
        catch (MuxadoException)
        {
            // The session ended.
        }

        await Task.WhenAll(readers).ConfigureAwait(false);
    }

    private static async Task ReadToEndAsync(MuxadoStream stream)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (MuxadoException)
        {
            // Reset or ended with the session: expected.
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task AcceptAllAsync(MuxSession session)
    {
        var readers = new List<Task>();
        try
        {
            while (true)
            {
                MuxStream stream = await session.AcceptStreamAsync().ConfigureAwait(false);
                readers.Add(ReadToEndAsync(stream));
            }
        }
        catch (MuxException)
        {
            // The session ended.
        }

        await Task.WhenAll(readers).ConfigureAwait(false);
    }

    private static async Task ReadToEndAsync(MuxStream stream)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (MuxException)
        {
            // Reset or ended with the session: expected.
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task DrainAsync(PipeReader output)
    {
        while (true)
        {
            ReadResult result = await output.ReadAsync().ConfigureAwait(false);
            output.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                await output.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Two pipes as one stream: what a transport's socket is to a session.</summary>
    private sealed class PipeStream(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream _in = input.AsStream();
        private readonly Stream _out = output.AsStream();

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _in.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _out.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);

        public override void Flush() => _out.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _in.Dispose();
                _out.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
