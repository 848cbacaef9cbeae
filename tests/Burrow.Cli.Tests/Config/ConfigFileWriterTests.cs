using Burrow.Cli.Config;
using Burrow.Protocol.Errors;

namespace Burrow.Cli.Tests.Config;

// Owner-only modes are a Unix notion; Burrow's tests run on Linux.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigFileWriterTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void New_file_is_version3_and_owner_only_in_an_owner_only_folder()
    {
        string path = Path.Combine(_dir.Path, "burrow", "burrow.yml");

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_abc"));

        Assert.Equal("version: 3\nagent:\n  authtoken: brw_abc\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal("brw_abc", Load(path).Agent.Authtoken);
    }

    [Fact]
    public void Existing_value_is_replaced_in_place_keeping_comments_and_other_settings()
    {
        string path = _dir.Write("burrow.yml", "# my tunnels\nversion: 3\nagent:\n  authtoken: brw_old   # from the operator\n  log: stdout\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n");

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_new"));

        Assert.Equal("# my tunnels\nversion: 3\nagent:\n  authtoken: brw_new   # from the operator\n  log: stdout\nendpoints:\n  - name: web\n    upstream: {url: 8080}\n", File.ReadAllText(path));
    }

    [Fact]
    public void Missing_key_is_added_to_the_agent_section_at_its_indentation()
    {
        string path = _dir.Write("burrow.yml", "version: 3\nagent:\n    log: stdout\nendpoints: []\n");

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "connect_url", "server_addr", "edge.example.com:4443"));

        Assert.Equal("version: 3\nagent:\n    connect_url: edge.example.com:4443\n    log: stdout\nendpoints: []\n", File.ReadAllText(path));
    }

    [Fact]
    public void Empty_agent_section_and_missing_agent_section_both_get_the_key()
    {
        string empty = _dir.Write("a.yml", "version: 3\nagent:\nendpoints: []\n");
        string none = _dir.Write("b.yml", "version: 3\nendpoints: []");

        Assert.Null(ConfigFileWriter.SetAgentValue(empty, "authtoken", "authtoken", "brw_x"));
        Assert.Null(ConfigFileWriter.SetAgentValue(none, "authtoken", "authtoken", "brw_y"));

        Assert.Equal("brw_x", Load(empty).Agent.Authtoken);
        Assert.Equal("brw_y", Load(none).Agent.Authtoken);
        Assert.Equal("version: 3\nendpoints: []\nagent:\n  authtoken: brw_y\n", File.ReadAllText(none));
    }

    [Fact]
    public void Flow_style_agent_section_is_rewritten_in_block_style()
    {
        string path = _dir.Write("burrow.yml", "version: 3\nagent: {authtoken: old, log: stdout}\n");

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_new"));

        ConfigFile file = Load(path);
        Assert.Equal(("brw_new", "stdout"), (file.Agent.Authtoken, file.Agent.Log));
    }

    [Fact]
    public void Version2_file_keeps_its_shape_and_its_key_names()
    {
        string path = _dir.Write("ngrok.yml", "authtoken: old\ntunnels:\n  web: {addr: 80}\n");

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_new"));
        Assert.Null(ConfigFileWriter.SetAgentValue(path, "connect_url", "server_addr", "[::1]:4443"));

        Assert.Equal("authtoken: brw_new\ntunnels:\n  web: {addr: 80}\nserver_addr: \"[::1]:4443\"\n", File.ReadAllText(path));
        ConfigFile file = Load(path);
        Assert.Equal(("brw_new", "[::1]:4443"), (file.Agent.Authtoken, file.Agent.ConnectUrl));
    }

    [Fact]
    public void Rewrite_tightens_a_readable_file_to_owner_only()
    {
        string path = _dir.Write("burrow.yml", "version: 3\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);

        Assert.Null(ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_x"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Broken_yaml_is_not_edited()
    {
        string path = _dir.Write("burrow.yml", "version: 3\nagent: [\n");

        ConfigProblem? problem = ConfigFileWriter.SetAgentValue(path, "authtoken", "authtoken", "brw_x");

        Assert.Equal(ErrorCodes.ConfigSyntaxError, problem?.Code);
        Assert.Equal("version: 3\nagent: [\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("brw_abc123", "brw_abc123")]
    [InlineData("tunnel.example.com:4443", "tunnel.example.com:4443")]
    [InlineData("true", "\"true\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("quote\"back\\slash", "\"quote\\\"back\\\\slash\"")]
    public void Scalars_read_back_as_the_same_string(string value, string written)
    {
        Assert.Equal(written, ConfigFileWriter.Scalar(value));
        string path = _dir.Write("s.yml", $"version: 3\nagent:\n  authtoken: {written}\n");
        Assert.Equal(value, Load(path).Agent.Authtoken);
    }

    private static ConfigFile Load(string path)
    {
        var problems = new List<ConfigProblem>();
        ConfigFile file = new ConfigParser(path, problems).Parse(File.ReadAllText(path));
        Assert.Empty(problems);
        return file;
    }
}
