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

    public static string PathOf(string name) => Path.Combine(Folder, Files[name]);

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
