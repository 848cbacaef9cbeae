// The TCP tunnel benchmark's two ends (bench/tcp/run.sh drives them):
//   serve <port>                          upstream on 127.0.0.1: first byte 'S' = sink (count bytes to EOF, reply
//                                         with the count as 8 bytes), 'E' = echo (send back every byte until EOF)
//   bulk <port> <bytes> <rounds>          one connection writes <bytes> in 64 KiB writes, half-closes, waits for the
//                                         count; prints the median MB/s over the rounds
//   cps <port> <seconds> <concurrency>    loops of connect, 1 KiB echo, close on <concurrency> tasks; prints
//                                         completed connections per second and the p50/p99 of one loop
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

return args switch
{
    ["serve", var port] => await ServeAsync(int.Parse(port, CultureInfo.InvariantCulture)),
    ["bulk", var port, var bytes, var rounds] => await BulkAsync(int.Parse(port, CultureInfo.InvariantCulture), long.Parse(bytes, CultureInfo.InvariantCulture), int.Parse(rounds, CultureInfo.InvariantCulture)),
    ["cps", var port, var seconds, var concurrency] => await ConnectionsAsync(int.Parse(port, CultureInfo.InvariantCulture), int.Parse(seconds, CultureInfo.InvariantCulture), int.Parse(concurrency, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: serve <port> | bulk <port> <bytes> <rounds> | cps <port> <seconds> <concurrency>");
    return 2;
}

static async Task<int> ServeAsync(int port)
{
    using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
    listener.Listen(4096);
    Console.WriteLine($"listening on 127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
    while (true)
    {
        Socket socket = await listener.AcceptAsync();
        _ = Task.Run(() => ServeOneAsync(socket));
    }
}

static async Task ServeOneAsync(Socket socket)
{
    using (socket)
    {
        socket.NoDelay = true;
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(0, 1));
            if (read == 0)
            {
                return;
            }

            bool echo = buffer[0] == (byte)'E';
            long total = 0;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                total += read;
                if (echo)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read));
                }
            }

            if (!echo)
            {
                byte[] count = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(count, total);
                await socket.SendAsync(count);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client went away.
        }
    }
}

static async Task<int> BulkAsync(int port, long bytes, int rounds)
{
    var results = new List<double>();
    byte[] block = new byte[64 * 1024];
    Random.Shared.NextBytes(block);
    for (int round = 0; round < rounds; round++)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var clock = Stopwatch.StartNew();
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(new[] { (byte)'S' });
        for (long sent = 0; sent < bytes; sent += block.Length)
        {
            int n = (int)Math.Min(block.Length, bytes - sent);
            await socket.SendAsync(block.AsMemory(0, n));
        }

        socket.Shutdown(SocketShutdown.Send);
        byte[] reply = new byte[8];
        int got = 0;
        while (got < 8)
        {
            int read = await socket.ReceiveAsync(reply.AsMemory(got));
            if (read == 0)
            {
                Console.Error.WriteLine("the upstream closed before replying");
                return 1;
            }

            got += read;
        }

        clock.Stop();
        long counted = BinaryPrimitives.ReadInt64BigEndian(reply);
        if (counted != bytes)
        {
            Console.Error.WriteLine($"the upstream counted {counted} bytes, {bytes} were sent");
            return 1;
        }

        results.Add(bytes / clock.Elapsed.TotalSeconds / 1e6);
    }

    results.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{results[results.Count / 2]:0} MB/s (rounds: {string.Join(", ", results.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))})"));
    return 0;
}

static async Task<int> ConnectionsAsync(int port, int seconds, int concurrency)
{
    byte[] payload = new byte[1024];
    Random.Shared.NextBytes(payload);
    var deadline = Stopwatch.StartNew();
    var duration = TimeSpan.FromSeconds(seconds);
    long completed = 0, failed = 0;
    var samples = new List<double>[concurrency];
    var loops = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
    {
        var mine = samples[i] = [];
        byte[] request = [(byte)'E', .. payload];
        byte[] echo = new byte[payload.Length];
        while (deadline.Elapsed < duration)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                await socket.SendAsync(request);
                int got = 0;
                while (got < echo.Length)
                {
                    int read = await socket.ReceiveAsync(echo.AsMemory(got));
                    if (read == 0)
                    {
                        throw new IOException("closed before the whole echo came back");
                    }

                    got += read;
                }

                if (!echo.AsSpan().SequenceEqual(payload))
                {
                    throw new IOException("the echo differs");
                }

                socket.Shutdown(SocketShutdown.Send);
                Interlocked.Increment(ref completed);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                Interlocked.Increment(ref failed);
            }
        }
    })).ToArray();
    await Task.WhenAll(loops);
    double elapsed = deadline.Elapsed.TotalSeconds;
    double[] all = [.. samples.SelectMany(s => s).Order()];
    double P(int p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, all.Length * p / 100)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{completed / elapsed:0} conn/s (p50 {P(50):0.00} ms, p99 {P(99):0.00} ms, {completed} done, {failed} failed)"));
    return 0;
}
