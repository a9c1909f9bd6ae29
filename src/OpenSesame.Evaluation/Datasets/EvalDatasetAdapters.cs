namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// The adapters by <c>--format</c> name. Each is created with the run's catalog cache, so an adapter that reads its
/// spec to translate labels and the case builder parse that spec once between them.
/// </summary>
internal static class EvalDatasetAdapters
{
    private static readonly SortedDictionary<string, Func<EvalSpecCatalogs, IEvalDatasetAdapter>> Factories =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["restbench"] = catalogs => new RestBenchAdapter(catalogs),
            ["agentdiff"] = catalogs => new AgentDiffAdapter(catalogs),
            ["nestful"] = _ => new NestfulAdapter(),
            ["toolalpaca"] = _ => new ToolAlpacaAdapter(),
            ["octokit"] = _ => new OctokitFixturesAdapter(),
            ["jsonl"] = _ => new JsonlAdapter(),
            ["synthetic"] = _ => new SyntheticAdapter(),
        };

    /// <summary>Every format name, sorted.</summary>
    public static IReadOnlyList<string> Formats => [.. Factories.Keys];

    /// <summary>The adapter for <paramref name="format"/> (case-insensitive), or null.</summary>
    public static IEvalDatasetAdapter? Find(string format, EvalSpecCatalogs? catalogs = null) =>
        Factories.TryGetValue(format.Trim(), out var create) ? create(catalogs ?? new EvalSpecCatalogs()) : null;

    /// <exception cref="EvalDataException">No adapter has that name; the message lists the names.</exception>
    public static IEvalDatasetAdapter Get(string format, EvalSpecCatalogs? catalogs = null) =>
        Find(format, catalogs)
        ?? throw new EvalDataException($"Unknown dataset format '{format}'. Known formats: {string.Join(", ", Formats)}.");
}
