using System.Text;

namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>A built-in function over evaluated arguments; a method call's receiver is <c>args[0]</c>.</summary>
internal delegate object? CelBuiltin(ReadOnlySpan<object?> args, CelLimits limits);

/// <summary>
/// The built-in functions that need no special compilation, by name, call style and argument count.
/// <c>matches</c>, <c>inCidrRange(s)</c> and the macros are compiled by hand instead: they get work done
/// once at compile time (a regex, a CIDR list) or bind variables.
/// </summary>
internal static class CelBuiltins
{
    private static readonly Dictionary<(string Name, bool Method, int Arity), CelBuiltin> Table = Build();

    /// <summary>The names callable as global functions, with any argument count (for error messages).</summary>
    public static bool IsGlobal(string name) => Table.Keys.Any(k => !k.Method && k.Name == name) || name is "matches" or "inCidrRange" or "inCidrRanges" or "has";

    /// <summary>Finds a built-in; <paramref name="arity"/> counts a method's receiver.</summary>
    public static CelBuiltin? Find(string name, bool method, int arity) => Table.GetValueOrDefault((name, method, arity));

    private static Dictionary<(string, bool, int), CelBuiltin> Build()
    {
        var table = new Dictionary<(string, bool, int), CelBuiltin>();
        void Global(string name, int arity, CelBuiltin body) => table[(name, false, arity)] = body;
        void Method(string name, int arity, CelBuiltin body) => table[(name, true, arity + 1)] = body;

        Global("size", 1, (a, _) => CelAccess.Size(a[0]));
        Method("size", 0, (a, _) => CelAccess.Size(a[0]));

        Global("int", 1, (a, _) => CelConversions.ToInt(a[0]));
        Global("uint", 1, (a, _) => CelConversions.ToUint(a[0]));
        Global("double", 1, (a, _) => CelConversions.ToDouble(a[0]));
        Global("string", 1, (a, _) => CelValues.ConvertToString(a[0]));
        Global("bytes", 1, (a, _) => CelConversions.ToBytes(a[0]));
        Global("bool", 1, (a, _) => CelConversions.ToBool(a[0]));
        Global("timestamp", 1, (a, _) => CelConversions.ToTimestamp(a[0]));
        Global("duration", 1, (a, _) => CelConversions.ToDuration(a[0]));
        Global("dyn", 1, (a, _) => a[0]);
        Global("type", 1, (a, _) => CelValues.TypeOf(a[0]));

        Method("contains", 1, (a, _) => CelBox.Bool(Str(a, 0, "contains").Contains(Str(a, 1, "contains"), StringComparison.Ordinal)));
        Method("startsWith", 1, (a, _) => CelBox.Bool(Str(a, 0, "startsWith").StartsWith(Str(a, 1, "startsWith"), StringComparison.Ordinal)));
        Method("endsWith", 1, (a, _) => CelBox.Bool(Str(a, 0, "endsWith").EndsWith(Str(a, 1, "endsWith"), StringComparison.Ordinal)));
        Method("lowerAscii", 0, (a, _) => CelStrings.LowerAscii(Str(a, 0, "lowerAscii")));
        Method("upperAscii", 0, (a, _) => CelStrings.UpperAscii(Str(a, 0, "upperAscii")));
        Method("trim", 0, (a, _) => Str(a, 0, "trim").Trim());
        Method("split", 1, (a, _) => CelStrings.Split(Str(a, 0, "split"), Str(a, 1, "split"), -1));
        Method("split", 2, (a, _) => CelStrings.Split(Str(a, 0, "split"), Str(a, 1, "split"), Int(a, 2, "split")));
        Method("join", 0, (a, l) => CelStrings.Join(List(a, 0, "join"), "", l.MaxProducedSize));
        Method("join", 1, (a, l) => CelStrings.Join(List(a, 0, "join"), Str(a, 1, "join"), l.MaxProducedSize));
        Method("replace", 2, (a, l) => CelStrings.Replace(Str(a, 0, "replace"), Str(a, 1, "replace"), Str(a, 2, "replace"), -1, l.MaxProducedSize));
        Method("replace", 3, (a, l) => CelStrings.Replace(Str(a, 0, "replace"), Str(a, 1, "replace"), Str(a, 2, "replace"), Int(a, 3, "replace"), l.MaxProducedSize));
        Method("indexOf", 1, (a, _) => CelBox.Int(CelStrings.IndexOf(Str(a, 0, "indexOf"), Str(a, 1, "indexOf"), 0)));
        Method("indexOf", 2, (a, _) => CelBox.Int(CelStrings.IndexOf(Str(a, 0, "indexOf"), Str(a, 1, "indexOf"), Int(a, 2, "indexOf"))));
        Method("lastIndexOf", 1, (a, _) => CelBox.Int(CelStrings.LastIndexOf(Str(a, 0, "lastIndexOf"), Str(a, 1, "lastIndexOf"), null)));
        Method("lastIndexOf", 2, (a, _) => CelBox.Int(CelStrings.LastIndexOf(Str(a, 0, "lastIndexOf"), Str(a, 1, "lastIndexOf"), Int(a, 2, "lastIndexOf"))));
        Method("substring", 1, (a, _) => CelStrings.Substring(Str(a, 0, "substring"), Int(a, 1, "substring"), null));
        Method("substring", 2, (a, _) => CelStrings.Substring(Str(a, 0, "substring"), Int(a, 1, "substring"), Int(a, 2, "substring")));
        Method("charAt", 1, (a, _) => CelStrings.CharAt(Str(a, 0, "charAt"), Int(a, 1, "charAt")));

        foreach (string accessor in (string[])["getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds"])
        {
            Method(accessor, 0, (a, _) => a[0] switch
            {
                DateTimeOffset t => CelBox.Int(CelTime.Get(accessor, t, null)),
                TimeSpan d => CelBox.Int(CelTime.Get(accessor, d)),
                _ => throw CelErrors.NoOverload(accessor, a[0]),
            });
            Method(accessor, 1, (a, _) => a[0] is DateTimeOffset t
                ? CelBox.Int(CelTime.Get(accessor, t, Str(a, 1, accessor)))
                : throw CelErrors.NoOverload(accessor, a[0], a[1]));
        }

        Global("base64.encode", 1, (a, _) => a[0] switch
        {
            byte[] b => Convert.ToBase64String(b),
            string s => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)),
            _ => throw CelErrors.NoOverload("base64.encode", a[0]),
        });
        Global("base64.decode", 1, (a, _) => Base64Decode(Str(a, 0, "base64.decode")));
        Global("basic_auth.encode", 2, (a, _) =>
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a, 0, "basic_auth.encode") + ":" + Str(a, 1, "basic_auth.encode"))));
        Global("url.encode", 1, (a, _) => Uri.EscapeDataString(Str(a, 0, "url.encode")));
        Global("url.decode", 1, (a, _) => Uri.UnescapeDataString(Str(a, 0, "url.decode")));
        return table;
    }

    private static byte[] Base64Decode(string text)
    {
        byte[] buffer = new byte[((text.Length + 3) / 4) * 3];
        return Convert.TryFromBase64String(text, buffer, out int written)
            ? buffer[..written]
            : throw new CelEvaluationException("base64.decode: not valid base64");
    }

    private static string Str(ReadOnlySpan<object?> args, int i, string function) =>
        args[i] as string ?? throw ArgumentError(function, i, "string", args[i]);

    private static long Int(ReadOnlySpan<object?> args, int i, string function) =>
        args[i] is long l ? l : throw ArgumentError(function, i, "int", args[i]);

    private static IReadOnlyList<object?> List(ReadOnlySpan<object?> args, int i, string function) =>
        args[i] as IReadOnlyList<object?> ?? throw ArgumentError(function, i, "list", args[i]);

    private static CelEvaluationException ArgumentError(string function, int index, string expected, object? actual) =>
        new($"no such overload: {function} wants {expected} for argument {index}, got {CelValues.TypeName(actual)}");
}
