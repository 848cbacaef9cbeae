using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Burrow.Storage.Sql;

namespace Burrow.Storage.Tests.Sql;

/// <summary>
/// Native AOT has no reflection emit, and vanilla Dapper's query methods emit IL. Dapper.AOT
/// replaces each call at build time; a call it does not replace (a CommandDefinition, an
/// untyped parameter object) builds without a word, so this test looks at what the compiled
/// assembly still calls on <c>Dapper.SqlMapper</c>.
/// </summary>
public sealed class DapperAotTests
{
    // The generated code expands `IN @list` through this one, which emits nothing.
    private static readonly string[] Allowed = ["PackListParameters"];

    [Fact]
    public void Storage_calls_no_reflection_emit_Dapper_method()
    {
        using var stream = File.OpenRead(typeof(SqlControlStore).Assembly.Location);
        using var pe = new PEReader(stream);
        MetadataReader metadata = pe.GetMetadataReader();
        var called = new SortedSet<string>(StringComparer.Ordinal);
        foreach (MemberReferenceHandle handle in metadata.MemberReferences)
        {
            MemberReference member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                TypeReference type = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
                if (metadata.GetString(type.Namespace) == "Dapper" && metadata.GetString(type.Name) == "SqlMapper")
                {
                    called.Add(metadata.GetString(member.Name));
                }
            }
        }

        Assert.Empty(called.Except(Allowed));
    }
}
