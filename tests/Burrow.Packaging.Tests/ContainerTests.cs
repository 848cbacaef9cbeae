using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Burrow.Packaging.Tests;

/// <summary>The Dockerfile's instructions, continuation lines joined.</summary>
internal static partial class DockerfileText
{
    public static IReadOnlyList<(string Instruction, string Arguments)> Instructions()
    {
        string text = Repo.Read("Dockerfile").ReplaceLineEndings("\n");
        string joined = ContinuationPattern().Replace(text, " ");
        return [.. joined.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (l.Split(' ', 2)[0].ToUpperInvariant(), l.Split(' ', 2).ElementAtOrDefault(1)?.Trim() ?? ""))];
    }

    /// <summary>The words of <c>HEALTHCHECK ... CMD [...]</c>.</summary>
    public static string[] HealthCheckCommand()
    {
        string arguments = Instructions().Single(i => i.Instruction == "HEALTHCHECK").Arguments;
        string json = arguments[(arguments.IndexOf("CMD [", StringComparison.Ordinal) + 4)..];
        return JsonSerializer.Deserialize<string[]>(json)!;
    }

    [GeneratedRegex(@"\\\n\s*")]
    private static partial Regex ContinuationPattern();
}

/// <summary>
/// The Dockerfile and the Kubernetes example, without a container engine (this machine has none): what they name
/// exists, the final image runs as a user without privileges, and the health check and config they carry work
/// with the real binary.
/// </summary>
public sealed class ContainerTests(Artifacts artifacts)
{
    [Fact]
    public void The_Dockerfile_copies_only_what_exists_and_dockerignore_lets_through()
    {
        var instructions = DockerfileText.Instructions();
        string[] ignore = [.. Repo.Read(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        Assert.Equal("*", ignore[0]);

        var copies = instructions.Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var (_, arguments) in copies)
        {
            string[] words = [.. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal))];
            foreach (string source in words[..^1])
            {
                Assert.True(File.Exists(Repo.File(source)) || Directory.Exists(Repo.File(source)), $"COPY {source}: not in the repository");
                Assert.Contains("!" + source, ignore);
            }
        }

        // The build stage runs the publish script, whose output folder the next line copies from.
        Assert.Contains(instructions, i => i.Instruction == "RUN" && i.Arguments.Contains("packaging/publish.sh \"$rid\"", StringComparison.Ordinal)
            && i.Arguments.Contains("artifacts/single-file/$rid/burrow", StringComparison.Ordinal));
        Assert.Contains("OUT=${OUT:-artifacts/single-file}", Repo.Read("packaging/publish.sh"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_is_multi_stage_on_the_SDK_of_global_json_and_runs_as_a_user_without_privileges()
    {
        var instructions = DockerfileText.Instructions();
        var froms = instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments).ToList();
        string sdkMajor = Regex.Match(Repo.Read("global.json"), "\"version\": \"(\\d+\\.\\d+)").Groups[1].Value;

        Assert.Equal(2, froms.Count);
        Assert.Contains($"mcr.microsoft.com/dotnet/sdk:{sdkMajor} AS build", froms[0], StringComparison.Ordinal);
        Assert.StartsWith($"mcr.microsoft.com/dotnet/runtime-deps:{sdkMajor}", froms[1], StringComparison.Ordinal);

        int final = instructions.ToList().FindLastIndex(i => i.Instruction == "FROM");
        var runtime = instructions.Skip(final).ToList();
        string user = runtime.Last(i => i.Instruction == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.True(runtime.FindIndex(i => i.Instruction == "USER") < runtime.FindIndex(i => i.Instruction == "ENTRYPOINT"));
        Assert.Equal("[\"/usr/bin/burrow\"]", runtime.Single(i => i.Instruction == "ENTRYPOINT").Arguments);
        Assert.Contains("--health-addr\", \"127.0.0.1:9090\"", runtime.Single(i => i.Instruction == "CMD").Arguments, StringComparison.Ordinal);
        Assert.Contains("GET /healthz", string.Join(' ', DockerfileText.HealthCheckCommand()), StringComparison.Ordinal);
    }

    [Fact(Timeout = 1_800_000)]
    public async Task The_health_check_passes_against_a_running_edge_and_fails_without_one()
    {
        string burrow = await artifacts.SingleFileAsync();
        using var dir = new TempDir();
        await using var edge = Background.Start(burrow, BurrowRun.EdgeArguments(dir.Combine("edge")), Run.WithoutDotnet("/usr/bin:/bin"), dir.Path);
        await edge.WaitForLineAsync("Ready.", TimeSpan.FromMinutes(1));
        int port = BurrowRun.HealthPort(edge.Output);

        Assert.Equal(0, await BurrowRun.HealthCheckAsync(port));

        Assert.Equal(0, await edge.StopAsync(TimeSpan.FromMinutes(1)));
        Assert.NotEqual(0, await BurrowRun.HealthCheckAsync(port));
    }

    [Fact(Timeout = 1_800_000)]
    public async Task The_Kubernetes_sidecar_runs_burrow_start_all_with_the_ConfigMap_and_the_Secret()
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(Repo.Read("deploy/kubernetes/sidecar.yaml")))
        {
            stream.Load(reader);
        }

        var documents = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        YamlMappingNode configMap = documents.Single(d => Text(d, "kind") == "ConfigMap");
        YamlMappingNode deployment = documents.Single(d => Text(d, "kind") == "Deployment");
        var pod = (YamlMappingNode)Node(deployment, "spec", "template", "spec");
        var containers = ((YamlSequenceNode)Node(pod, "containers")).Cast<YamlMappingNode>().ToList();
        YamlMappingNode agent = containers.Single(c => Text(c, "name") == "burrow");
        string[] args = [.. ((YamlSequenceNode)Node(agent, "args")).Select(a => ((YamlScalarNode)a).Value!)];

        Assert.Equal(2, containers.Count);
        Assert.Equal(["start", "--all"], args[..2]);
        string config = args[Array.IndexOf(args, "--config") + 1];

        // The config file is the ConfigMap's key, mounted where --config looks.
        var mount = ((YamlSequenceNode)Node(agent, "volumeMounts")).Cast<YamlMappingNode>().Single(m => config.StartsWith(Text(m, "mountPath") + "/", StringComparison.Ordinal));
        var volume = ((YamlSequenceNode)Node(pod, "volumes")).Cast<YamlMappingNode>().Single(v => Text(v, "name") == Text(mount, "name"));
        Assert.Equal(Text(configMap, "metadata", "name"), Text(volume, "configMap", "name"));
        string yml = Text(configMap, "data", Path.GetFileName(config));

        // The authtoken from a Secret, as BURROW_AUTHTOKEN.
        var env = ((YamlSequenceNode)Node(agent, "env")).Cast<YamlMappingNode>().Single(e => Text(e, "name") == "BURROW_AUTHTOKEN");
        Assert.Equal("authtoken", Text(env, "valueFrom", "secretKeyRef", "key"));

        // A read-only root file system, with /tmp writable for the single-file binary's unpacked library.
        Assert.Equal("true", Text(agent, "securityContext", "readOnlyRootFilesystem"));
        Assert.Contains(((YamlSequenceNode)Node(agent, "volumeMounts")).Cast<YamlMappingNode>(), m => Text(m, "mountPath") == "/tmp");
        Assert.Contains(DockerfileText.Instructions(), i => i.Instruction == "ENV" && i.Arguments.Contains("DOTNET_BUNDLE_EXTRACT_BASE_DIR=/tmp/", StringComparison.Ordinal));

        // The config itself is one burrow accepts.
        string burrow = await artifacts.SingleFileAsync();
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("burrow.yml"), yml);
        var (exit, output, error) = await Run.ToEndAsync(burrow, ["config", "check", "--config", dir.Combine("burrow.yml")], Run.WithoutDotnet("/usr/bin:/bin"));
        Assert.True(exit == 0, output + error);
        Assert.Contains("web", output, StringComparison.Ordinal);
    }

    private static YamlNode Node(YamlMappingNode map, params string[] path)
    {
        YamlNode node = map;
        foreach (string key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }

        return node;
    }

    private static string Text(YamlMappingNode map, params string[] path) => ((YamlScalarNode)Node(map, path)).Value!;
}
