namespace OpenSesame.Testing;

/// <summary>Finds the shared evaluation material (../shared/evaldata next to the repo) from wherever tests run.</summary>
internal static class EvalData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "evaldata");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    });

    /// <summary>The folder, or null on a machine without it (tests that need it then skip with a reason).</summary>
    public static string? Folder => Root.Value;

    public static string PathOf(string relative)
    {
        Assert.SkipWhen(Folder is null, "../shared/evaldata is not present on this machine");
        return Path.Combine(Folder!, relative);
    }

    public static string StripeSpec => PathOf("specs/stripe-openapi/openapi/spec3.yaml");
    public static string GitHubSpec => PathOf("specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml");
}
