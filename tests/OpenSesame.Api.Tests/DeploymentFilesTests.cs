using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OpenSesame.Predictor.Guardrails;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Postgres;
using OpenSesame.Storage.Redis;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace OpenSesame.Api.Tests;

/// <summary>
/// deploy/: the Dockerfile, compose.yaml, nginx.conf and prometheus.yml agree with each other and with the service.
/// No Docker engine runs here, so these read the files; deploy/run-local.sh runs the same topology as processes.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(ApiFactory.RepoRoot, "deploy");
    private static readonly string[] ApiServices = ["api-1", "api-2"];
    private static readonly string[] Stores = ["redis", "postgres"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void TheComposeFileNamesBothInstancesTheBalancerRedisPostgresAndPrometheus()
    {
        Assert.Equal(["api-1", "api-2", "balancer", "postgres", "prometheus", "redis"],
            Compose.Services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("redis:7", Compose.Service("redis")["image"]);
        Assert.Equal("postgres:15", Compose.Service("postgres")["image"]);
    }

    [Fact]
    public void EverySettingTheComposeFileGivesTheInstancesIsAPropertyOfTheServicesOptions()
    {
        foreach (var service in ApiServices)
        {
            var environment = Compose.Environment(service);
            Assert.Contains("Redis__Configuration", environment.Keys);
            foreach (var (key, value) in environment)
            {
                Assert.True(key.Contains("__", StringComparison.Ordinal), $"{service}: {key} is not a configuration key (Section__Name).");
                var problem = UnknownSetting(key.Replace("__", ":", StringComparison.Ordinal), Interpolate(value));
                Assert.True(problem is null, $"{service}: {problem}");
            }
        }
    }

    [Theory]
    [InlineData("Security__RateLimit__PermitLimt", "3")]
    [InlineData("Security__ApiKeys__0__Ownr", "operator")]
    [InlineData("Telemetry__Prometheus__AllowAnonymous", "yes")]
    [InlineData("Storage__Postgress__ConnectionString", "Host=postgres")]
    [InlineData("Kestrel__Nothing", "x")]
    public void TheSettingsCheckFindsAMisspelledKeyOrAValueThatDoesNotBind(string key, string value) =>
        Assert.NotNull(UnknownSetting(key.Replace("__", ":", StringComparison.Ordinal), value));

    [Fact]
    public async Task TheServiceStartsWithTheComposeSettingsAndTheExampleKey()
    {
        var settings = Compose.Environment("api-1").ToDictionary(
            e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)Interpolate(e.Value));
        // There are no servers named "redis" and "postgres" here; the shared stores have tests of their own
        // (SharedRateLimitTests, PostgresStorageApiTests).
        settings["Redis:Configuration"] = "";
        settings["Storage:Provider"] = "Sqlite";
        using var factory = new ApiFactory(settings);
        using var client = factory.CreateClient();

        using var metrics = await client.GetAsync("/metrics", Cancel);
        using var anonymous = await PredictAsync(client, key: null);
        using var withKey = await PredictAsync(client, DevelopmentKey());

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public void TheInstancesListenOnThePortTheImageExposesAndTheBalancerAndPrometheusUseIt()
    {
        var port = Assert.Single(Dockerfile.Runtime.Arguments("EXPOSE"));
        Assert.Equal(port, Dockerfile.Runtime.Environment["ASPNETCORE_HTTP_PORTS"]);
        var targets = ApiServices.Select(s => $"{s}:{port}").ToList();
        foreach (var service in ApiServices)
        {
            Assert.Equal([port], Compose.List(service, "expose"));
            Assert.DoesNotContain(Compose.Environment(service).Keys, k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal));
            // Only the balancer is reachable from outside: /metrics is open to anyone who reaches an instance.
            Assert.False(Compose.Service(service).ContainsKey("ports"), $"{service} publishes a port");
        }

        Assert.Equal(targets, UpstreamServers().ToList());
        Assert.Equal(targets, PrometheusTargets());
        Assert.Matches(@"location = /metrics \{\s*return 404;", File.ReadAllText(Path.Combine(Deploy, "nginx.conf")));
    }

    [Fact]
    public async Task TheImagesHealthCheckProbesARouteTheServiceAnswersWithoutAKey()
    {
        var healthcheck = Dockerfile.Runtime.Arguments("HEALTHCHECK");
        var command = JsonArray().Match(string.Join(' ', healthcheck)).Groups["first"].Value;
        Assert.Contains(Dockerfile.Runtime.Instructions, i => i.Keyword == "COPY"
            && i.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SequenceEqual(["deploy/healthcheck.sh", $"/usr/local/bin/{command}"]));
        var path = ProbedPath().Match(File.ReadAllText(Path.Combine(Deploy, "healthcheck.sh"))).Groups["path"].Value;
        Assert.Equal("/health/live", path);

        // With keys configured, as in the image: the probe holds none.
        using var factory = new ApiFactory(Security.TestKeys.Settings());
        using var response = await factory.CreateClient().GetAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void TheInstancesAndTheBalancerStartOnlyOnceWhatTheyNeedIsHealthy()
    {
        foreach (var service in Stores)
        {
            Assert.True(Compose.Service(service).ContainsKey("healthcheck"), $"{service} has no healthcheck");
        }

        foreach (var (service, needs) in ApiServices.Select(s => (s, Stores)).Append(("balancer", ApiServices)))
        {
            var dependsOn = (Dictionary<object, object>)Compose.Service(service)["depends_on"];
            Assert.Equal(needs.Order(StringComparer.Ordinal), dependsOn.Keys.Cast<string>().Order(StringComparer.Ordinal));
            Assert.All(dependsOn.Values, d => Assert.Equal("service_healthy", ((Dictionary<object, object>)d)["condition"]));
        }

        Assert.Contains(Compose.List("postgres", "volumes"), v => v.EndsWith(":/var/lib/postgresql/data", StringComparison.Ordinal));
    }

    [Fact]
    public void TheImageIsBuiltWithTheSdkRunsOnTheAspNetRuntimeAsANonRootUserAndKeepsItsDataInAVolume()
    {
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0 ", Dockerfile.Stages[0].From, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0 ", Dockerfile.Runtime.From, StringComparison.Ordinal);
        var user = Assert.Single(Dockerfile.Runtime.Arguments("USER"));
        Assert.DoesNotMatch("^(root|0)(:|$)", user);

        var data = Dockerfile.Runtime.Environment["Storage__DataDirectory"];
        Assert.Equal(["/data"], Dockerfile.Runtime.Arguments("VOLUME"));
        Assert.Equal("/data", data);
        Assert.Contains(Dockerfile.Runtime.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains($"chown {user}:{user} {data}", StringComparison.Ordinal));
        foreach (var service in ApiServices)
        {
            Assert.Equal("true", Compose.Service(service)["read_only"]);
            Assert.Contains($"{service}-data:{data}", Compose.List(service, "volumes"));
        }
    }

    [Fact]
    public void EveryPathTheDockerfileCopiesExistsAndIsNotIgnored()
    {
        var ignored = File.ReadAllLines(Path.Combine(ApiFactory.RepoRoot, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
        var copied = Dockerfile.Stages.SelectMany(s => s.Instructions)
            .Where(i => i.Keyword == "COPY" && !i.Arguments.Contains("--from=", StringComparison.Ordinal))
            .SelectMany(i => i.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .ToList();

        Assert.Contains("models/", copied);
        Assert.Contains("src/", copied);
        Assert.All(copied, source =>
        {
            var path = Path.Combine(ApiFactory.RepoRoot, source);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
            Assert.DoesNotContain(source.TrimEnd('/'), ignored);
        });
    }

    [Fact]
    public void TheComposeFileTakesItsSecretsFromTheEnvironment()
    {
        var environment = Compose.Environment("api-1");
        Assert.Matches(@"^\$\{OPENSESAME_KEY_SHA256:\?", environment["Security__ApiKeys__0__Sha256"]);
        Assert.Contains("Password=${POSTGRES_PASSWORD:-", environment["Storage__Postgres__ConnectionString"], StringComparison.Ordinal);
        Assert.Equal("${ANTHROPIC_API_KEY:-}", environment["Llm__Anthropic__ApiKey"]);
        Assert.StartsWith("${POSTGRES_PASSWORD:-", Compose.Environment("postgres")["POSTGRES_PASSWORD"], StringComparison.Ordinal);
        Assert.Equal(ApiKeys.Sha256Hex(DevelopmentKey()), ExampleEnvironment["OPENSESAME_KEY_SHA256"]);
    }

    /// <summary>Why a configuration key and value would not bind to the options class whose section holds it (the one
    /// with the longest <c>Section</c> that prefixes the key), or null when it binds. Uses the binder the service
    /// uses, told to fail on anything it cannot place.</summary>
    private static string? UnknownSetting(string key, string value)
    {
        var owner = OptionsSections.Where(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(s => s.Section.Length).FirstOrDefault();
        if (owner.Type is null)
        {
            return $"{key}: no options class has its section.";
        }

        var relative = key[(owner.Section.Length + 1)..];
        try
        {
            new ConfigurationBuilder().AddInMemoryCollection([new(relative, value)]).Build()
                .Get(owner.Type, o => o.ErrorOnUnknownConfiguration = true);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"{key}={value} does not bind to {owner.Type.Name}: {ex.Message}";
        }
    }

    /// <summary>Every options class of the service's assemblies, by its <c>Section</c> constant.</summary>
    private static readonly (string Section, Type Type)[] OptionsSections =
        new[] { typeof(Program), typeof(StorageOptions), typeof(RedisOptions), typeof(PostgresOptions) }.Select(t => t.Assembly).SelectMany(a => a.GetTypes())
            .Select(t => (Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static), Type: t))
            .Where(f => f.Field is { IsLiteral: true } && f.Field.FieldType == typeof(string))
            .Select(f => ((string)f.Field!.GetRawConstantValue()!, f.Type))
            .ToArray();

    private static async Task<HttpResponseMessage> PredictAsync(HttpClient client, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict")
        {
            Content = JsonContent.Create(new { spec_url = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml"), k = 3 }),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request, Cancel);
    }

    /// <summary>The development key whose hash deploy/.env.example holds, as its comment names it.</summary>
    private static string DevelopmentKey() =>
        DevelopmentKeyComment().Match(File.ReadAllText(Path.Combine(Deploy, ".env.example"))).Groups["key"].Value;

    /// <summary>A compose value with its <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>${NAME:?error}</c> filled from
    /// deploy/.env.example, as <c>docker compose</c> fills them from deploy/.env.</summary>
    private static string Interpolate(string value) => Variable().Replace(value, m =>
        ExampleEnvironment.TryGetValue(m.Groups["name"].Value, out var set) && set.Length > 0 ? set
        : m.Groups["op"].Value == ":-" ? m.Groups["rest"].Value
        : throw new InvalidOperationException($"{m.Value}: deploy/.env.example does not set it."));

    private static readonly Dictionary<string, string> ExampleEnvironment =
        File.ReadAllLines(Path.Combine(Deploy, ".env.example")).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static IEnumerable<string> UpstreamServers() =>
        UpstreamServer().Matches(File.ReadAllText(Path.Combine(Deploy, "nginx.conf"))).Select(m => m.Groups["target"].Value);

    private static List<string> PrometheusTargets()
    {
        var config = (Dictionary<object, object>)LoadYaml(Path.Combine(Deploy, "prometheus.yml"));
        var job = (Dictionary<object, object>)Assert.Single((List<object>)config["scrape_configs"]);
        Assert.Equal("/metrics", job["metrics_path"]);
        var staticConfig = (Dictionary<object, object>)Assert.Single((List<object>)job["static_configs"]);
        return ((List<object>)staticConfig["targets"]).Cast<string>().ToList();
    }

    /// <summary>A YAML file as dictionaries, lists and strings, with anchors and merge keys (<c>&lt;&lt;: *api</c>)
    /// resolved as compose resolves them.</summary>
    private static object LoadYaml(string path)
    {
        using var reader = new StreamReader(path);
        return new DeserializerBuilder().Build().Deserialize<object>(new MergingParser(new Parser(reader)))
               ?? throw new InvalidOperationException($"{path} is empty.");
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:-|:\?)(?<rest>[^}]*))?\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^\s*server\s+(?<target>[\w.-]+:\d+)", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"GET (?<path>/\S+) HTTP/")]
    private static partial Regex ProbedPath();

    [GeneratedRegex(@"\[\s*""(?<first>[^""]+)""")]
    private static partial Regex JsonArray();

    [GeneratedRegex(@"development key ""(?<key>[^""]+)""")]
    private static partial Regex DevelopmentKeyComment();

    /// <summary>deploy/compose.yaml, parsed.</summary>
    private static class Compose
    {
        private static readonly Dictionary<object, object> Root = (Dictionary<object, object>)LoadYaml(Path.Combine(Deploy, "compose.yaml"));

        public static Dictionary<string, object> Services { get; } =
            ((Dictionary<object, object>)Root["services"]).ToDictionary(s => (string)s.Key, s => s.Value);

        public static Dictionary<object, object> Service(string name) => (Dictionary<object, object>)Services[name];

        public static List<string> List(string service, string key) => ((List<object>)Service(service)[key]).Cast<string>().ToList();

        public static Dictionary<string, string> Environment(string service) =>
            ((Dictionary<object, object>)Service(service)["environment"]).ToDictionary(e => (string)e.Key, e => (string)e.Value);
    }

    /// <summary>deploy/Dockerfile as stages of instructions (continuation lines joined, comments dropped).</summary>
    private static class Dockerfile
    {
        public static List<Stage> Stages { get; } = Parse(File.ReadAllLines(Path.Combine(Deploy, "Dockerfile")));

        public static Stage Runtime => Stages[^1];

        private static List<Stage> Parse(IEnumerable<string> lines)
        {
            var stages = new List<Stage>();
            var pending = new StringBuilder();
            foreach (var line in lines.Where(l => !l.TrimStart().StartsWith('#')))
            {
                pending.Append(line.TrimEnd().TrimEnd('\\')).Append(' ');
                if (line.TrimEnd().EndsWith('\\'))
                {
                    continue;
                }

                var text = pending.ToString().Trim();
                pending.Clear();
                if (text.Length == 0)
                {
                    continue;
                }

                var parts = text.Split(' ', 2);
                var instruction = new Instruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "");
                if (instruction.Keyword == "FROM")
                {
                    stages.Add(new Stage(instruction.Arguments));
                }
                else
                {
                    stages[^1].Instructions.Add(instruction);
                }
            }

            return stages;
        }
    }

    private sealed record Stage(string From)
    {
        public List<Instruction> Instructions { get; } = [];

        /// <summary>The words of the last instruction of this kind.</summary>
        public IReadOnlyList<string> Arguments(string keyword) => Instructions.Last(i => i.Keyword == keyword).Words;

        /// <summary>Every <c>ENV NAME=VALUE</c> of the stage.</summary>
        public Dictionary<string, string> Environment => Instructions.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Words).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    private sealed record Instruction(string Keyword, string Arguments)
    {
        public IReadOnlyList<string> Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
