namespace OpenSesame.Evaluation;

/// <summary>
/// Finds the shared evaluation material without machine paths in code: the data sits in <c>shared/evaldata</c> next to
/// the repository, and held-out files may sit anywhere, so everything is found by walking up from where we are.
/// </summary>
internal static class EvalDataLocator
{
    /// <summary>Names the evaldata folder explicitly, for machines where it is not above the working directory.</summary>
    public const string EnvironmentVariable = "OPENSESAME_EVALDATA";

    private static readonly string RelativeRoot = Path.Combine("shared", "evaldata");

    /// <summary>
    /// The evaldata folder: <see cref="EnvironmentVariable"/> if set, else the first <c>shared/evaldata</c> above
    /// <paramref name="start"/> (a file or folder), the current directory or the application folder; null if none.
    /// </summary>
    public static string? FindRoot(string? start = null)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured) && Directory.Exists(configured))
        {
            return Path.GetFullPath(configured);
        }

        foreach (var origin in Origins(start))
        {
            foreach (var dir in Ancestors(origin))
            {
                var candidate = Path.Combine(dir, RelativeRoot);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A file a dataset needs (its spec): the first <c>ancestor/relative</c> above the dataset for any of
    /// <paramref name="candidates"/>, else <c>evaldata/relative</c>.
    /// </summary>
    /// <param name="what">What is looked for, for the error ("the TMDB spec of restbench dataset tmdb.json").</param>
    /// <exception cref="EvalDataException">None exists; the message lists every place searched.</exception>
    public static string FindFile(string datasetPath, string what, params string[] candidates)
    {
        var start = Path.GetFullPath(datasetPath);
        foreach (var dir in Ancestors(start))
        {
            foreach (var candidate in candidates)
            {
                var path = Path.Combine(dir, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        var root = FindRoot(start);
        if (root is not null)
        {
            foreach (var candidate in candidates)
            {
                var path = Path.Combine(root, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        var where = root is null
            ? $"no shared/evaldata folder was found (set {EnvironmentVariable} to it)"
            : $"nor in the evaldata folder {root}";
        throw new EvalDataException(
            $"Cannot find {what}: looked for {string.Join(" or ", candidates)} in every folder above {Folder(start)}, {where}. "
            + "Pass the spec explicitly to use another one.");
    }

    /// <summary>The folder of a file, or the folder itself.</summary>
    public static string Folder(string path) =>
        Directory.Exists(path) ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

    /// <summary>Resolves a path written inside a dataset file against that file's folder.</summary>
    public static string Resolve(string path, string relativeTo) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Folder(relativeTo), path));

    private static IEnumerable<string> Origins(string? start)
    {
        if (start is not null)
        {
            yield return Path.GetFullPath(start);
        }

        yield return Directory.GetCurrentDirectory();
        yield return AppContext.BaseDirectory;
    }

    private static IEnumerable<string> Ancestors(string start)
    {
        for (var dir = new DirectoryInfo(Folder(start)); dir is not null; dir = dir.Parent)
        {
            yield return dir.FullName;
        }
    }
}
