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
