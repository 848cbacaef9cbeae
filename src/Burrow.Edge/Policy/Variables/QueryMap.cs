using Burrow.Edge.Policy.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Burrow.Edge.Policy.Variables;

/// <summary><c>req.url.query_params</c>: each query parameter's name to the list of its values.</summary>
internal sealed class QueryMap : ICelMap
{
    private readonly IQueryCollection _query;

    public QueryMap(IQueryCollection query)
    {
        _query = query;
    }

    public int Count => _query.Count;

    public IEnumerable<object> Keys => _query.Keys;

    public bool TryGetValue(object key, out object? value)
    {
        if (key is string name && _query.TryGetValue(name, out StringValues values))
        {
            value = new ValueList(values);
            return true;
        }

        value = null;
        return false;
    }
}

/// <summary><c>req.cookies</c>: each cookie's name to the list of its values (a name may come twice).</summary>
internal sealed class CookieMap : ICelMap
{
    private readonly IRequestCookieCollection _cookies;

    public CookieMap(IRequestCookieCollection cookies)
    {
        _cookies = cookies;
    }

    public int Count => _cookies.Count;

    public IEnumerable<object> Keys => _cookies.Keys;

    public bool TryGetValue(object key, out object? value)
    {
        if (key is string name && _cookies.TryGetValue(name, out string? cookie))
        {
            value = new ValueList(cookie);
            return true;
        }

        value = null;
        return false;
    }
}
