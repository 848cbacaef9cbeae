namespace Burrow.Edge.Policy.Expressions;

/// <summary>A CEL type as a value: what <c>type(x)</c> returns and what <c>int</c>, <c>string</c>... name.</summary>
public sealed class CelType
{
    private CelType(string name)
    {
        Name = name;
    }

    /// <summary>The type's CEL name.</summary>
    public string Name { get; }

#pragma warning disable CS1591, CA1720 // The names say it all, and they are CEL's type names on purpose.
    public static CelType Int { get; } = new("int");
    public static CelType Uint { get; } = new("uint");
    public static CelType Double { get; } = new("double");
    public static CelType String { get; } = new("string");
    public static CelType Bytes { get; } = new("bytes");
    public static CelType Bool { get; } = new("bool");
    public static CelType List { get; } = new("list");
    public static CelType Map { get; } = new("map");
    public static CelType Null { get; } = new("null_type");
    public static CelType Type { get; } = new("type");
    public static CelType Timestamp { get; } = new("google.protobuf.Timestamp");
    public static CelType Duration { get; } = new("google.protobuf.Duration");
#pragma warning restore CS1591, CA1720

    /// <summary>The type names an expression can mention, by name.</summary>
    internal static IReadOnlyDictionary<string, CelType> ByName { get; } = new Dictionary<string, CelType>(StringComparer.Ordinal)
    {
        ["int"] = Int, ["uint"] = Uint, ["double"] = Double, ["string"] = String, ["bytes"] = Bytes, ["bool"] = Bool,
        ["list"] = List, ["map"] = Map, ["null_type"] = Null, ["type"] = Type,
        ["google.protobuf.Timestamp"] = Timestamp, ["google.protobuf.Duration"] = Duration,
    };

    /// <inheritdoc />
    public override string ToString() => Name;
}
