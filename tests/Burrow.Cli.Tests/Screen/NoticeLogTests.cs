using Burrow.Cli.Screen;

namespace Burrow.Cli.Tests.Screen;

public sealed class NoticeLogTests
{
    [Fact]
    public void Keeps_the_last_complete_non_empty_line()
    {
        using var log = new NoticeLog();
        Assert.Null(log.Last);

        log.WriteLine("Forwarding https://a -> http://localhost:1");
        log.Write("Reconnecting in 2.0 s");
        Assert.Equal("Forwarding https://a -> http://localhost:1", log.Last);

        log.Write(" (attempt 3)...\r\n");
        log.WriteLine("");
        Assert.Equal("Reconnecting in 2.0 s (attempt 3)...", log.Last);
    }
}
