namespace Burrow.Protocol.Codec;

/// <summary>Settings of <see cref="ControlMessageReader"/> and <see cref="ControlMessageWriter"/>.</summary>
public sealed class ControlCodecOptions
{
    /// <summary>The default <see cref="MaxMessageSize"/>: 64 KiB, far above any real message (a bind with many rules is a few KiB).</summary>
    public const int DefaultMaxMessageSize = 64 * 1024;

    /// <summary>The largest <see cref="MaxMessageSize"/> allowed: 16 MiB.</summary>
    public const int MaxMessageSizeLimit = 16 * 1024 * 1024;

    /// <summary>The shared default settings.</summary>
    public static ControlCodecOptions Default { get; } = new();

    /// <summary>
    /// The longest JSON body, in bytes (the length prefix not counted), that is read or written.
    /// A reader refuses a longer prefix with <c>ERR_BURROW_4002</c> before allocating anything for it.
    /// Between 1 and <see cref="MaxMessageSizeLimit"/>; defaults to <see cref="DefaultMaxMessageSize"/>.
    /// </summary>
    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxMessageSize"/> is out of range.</exception>
    public void Validate()
    {
        if (MaxMessageSize is < 1 or > MaxMessageSizeLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxMessageSize), MaxMessageSize, $"Must be between 1 and {MaxMessageSizeLimit}.");
        }
    }
}
