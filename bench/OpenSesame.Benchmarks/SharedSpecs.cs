using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Benchmarks;

/// <summary>The real specs the benchmarks measure, from ../shared/evaldata next to the repository.</summary>
internal static class SharedSpecs
{
    public static readonly Dictionary<string, string> Files = new()
    {
        ["stripe"] = "specs/stripe-openapi/openapi/spec3.yaml",
        ["github"] = "specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml",
    };

    public static string Folder { get; } = Find();

    /// <summary>The repository (where OpenSesame.slnx is), for its data/models.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string PathOf(string name) => Path.Combine(Folder, Files[name]);

    /// <summary>The service's predictor on its defaults plus <paramref name="settings"/>, storing in
    /// <paramref name="dataDirectory"/> and ranking with the model the service would serve (the repo's ./data/models
    /// current one, else the one shipped in models/; which one is said on the console), and the catalog of spec
    /// <paramref name="spec"/>.</summary>
    public static (ServiceProvider Services, SpecSource Source, EndpointCatalog Catalog) CreatePredictor(string dataDirectory,
        string spec, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Specs:Folders:0"] = Folder,
            ["Ranking:ModelDirectory"] = Path.Combine(RepoRoot, "data", "models"),
            // The warm path with every operation vector, as it is once the background worker is done.
            ["Semantics:BackgroundIndexing"] = "false",
        }).AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection().AddLogging().AddPredictor(configuration).AddSqliteStorage().BuildServiceProvider();
        var rankers = services.GetRequiredService<RankerHost>();
        rankers.TryLoadCurrent();
        Console.WriteLine($"// ranking with {rankers.Current.Version}");

        var source = new SpecSource(SpecSourceKind.File, PathOf(spec));
        var catalog = services.GetRequiredService<SpecProvider>().GetAsync(source, CancellationToken.None).GetAwaiter().GetResult().Catalog;
        return (services, source, catalog);
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OpenSesame.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("OpenSesame.slnx was not found above the working directory.");
    }

    private static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "evaldata");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("../shared/evaldata was not found above the working directory.");
    }
}
