using System.Collections;
using Microsoft.Extensions.Logging;

namespace Burrow.Agent.Web;

/// <summary>
/// Log lines whose message and fields are a contract with tools that wrap ngrok (pyngrok scrapes
/// <c>msg="starting web service" addr=...</c> and <c>msg="started tunnel" url=...</c>): the message is
/// fixed text and the values go out as separate fields, which a message template cannot express.
/// </summary>
internal static class LogLine
{
    public static void Info(ILogger logger, int eventId, string message, params (string Key, object? Value)[] fields)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(eventId, message.Replace(' ', '_')), new Fields(message, fields), null, static (state, _) => state.Message);
        }
    }

    private sealed class Fields(string message, (string Key, object? Value)[] fields) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => fields.Length;

        public KeyValuePair<string, object?> this[int index] => new(fields[index].Key, fields[index].Value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            foreach (var (key, value) in fields)
            {
                yield return new(key, value);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
