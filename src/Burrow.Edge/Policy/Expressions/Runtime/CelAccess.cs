namespace Burrow.Edge.Policy.Expressions.Runtime;

/// <summary>Member access, indexing, <c>in</c> and <c>size</c>.</summary>
internal static class CelAccess
{
    public static object? Field(object? operand, string field)
    {
        if (operand is ICelMap map)
        {
            return map.TryGetValue(field, out object? value) ? value : throw CelErrors.NoSuchKey(field);
        }

        throw new CelEvaluationException($"no such field '{field}' on {CelValues.TypeName(operand)}");
    }

    public static bool HasField(object? operand, string field) => operand switch
    {
        ICelMap map => map.TryGetValue(field, out _),
        _ => throw new CelEvaluationException($"has(): no field selection on {CelValues.TypeName(operand)}"),
    };

    public static object? Index(object? operand, object? index)
    {
        switch (operand)
        {
            case ICelMap map:
                if (index is null || !IsKeyKind(index))
                {
                    throw CelErrors.NoOverload("[]", operand, index);
                }

                return map.TryGetValue(index, out object? value) ? value : throw CelErrors.NoSuchKey(index);
            case IReadOnlyList<object?> list:
                long i = index switch
                {
                    long l => l,
                    ulong u when u <= int.MaxValue => (long)u,
                    double d when Math.Floor(d) == d && d is >= int.MinValue and <= int.MaxValue => (long)d,
                    _ => throw CelErrors.NoOverload("[]", operand, index),
                };
                return i >= 0 && i < list.Count ? list[(int)i] : throw new CelEvaluationException($"index out of range: {i} (size {list.Count})");
            default:
                throw CelErrors.NoOverload("[]", operand, index);
        }
    }

    /// <summary>Kinds CEL allows as map keys; doubles find integral keys too, as heterogeneous equality says.</summary>
    public static bool IsKeyKind(object key) => key is string or long or ulong or bool or double;

    public static bool In(object? element, object? container)
    {
        switch (container)
        {
            case IReadOnlyList<object?> list:
                for (int i = 0; i < list.Count; i++)
                {
                    if (CelValues.Equal(element, list[i]))
                    {
                        return true;
                    }
                }

                return false;
            case ICelMap map:
                return element is not null && IsKeyKind(element) && map.TryGetValue(element, out _);
            default:
                throw CelErrors.NoOverload("in", element, container);
        }
    }

    public static object Size(object? value) => value switch
    {
        string s => CelBox.Int(CelStrings.CodePoints(s)),
        byte[] b => CelBox.Int(b.Length),
        IReadOnlyList<object?> l => CelBox.Int(l.Count),
        ICelMap m => CelBox.Int(m.Count),
        _ => throw CelErrors.NoOverload("size", value),
    };
}
