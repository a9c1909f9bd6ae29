namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// The adapters by <c>--format</c> name. Each is created with the run's catalog cache, so an adapter that reads its
/// spec to translate labels and the case builder parse that spec once between them. Only recorded traffic has a
/// train/validation split; every other format takes <see cref="EvalSplit.All"/> alone.
/// </summary>
internal static class EvalDatasetAdapters
{
    private const string SplitFormat = "traffic";

    private static readonly SortedDictionary<string, Func<EvalSpecCatalogs, EvalSplit, IEvalDatasetAdapter>> Factories =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["restbench"] = (catalogs, _) => new RestBenchAdapter(catalogs),
            ["agentdiff"] = (catalogs, _) => new AgentDiffAdapter(catalogs),
            ["nestful"] = (_, _) => new NestfulAdapter(),
            ["toolalpaca"] = (_, _) => new ToolAlpacaAdapter(),
            ["octokit"] = (_, _) => new OctokitFixturesAdapter(),
            ["jsonl"] = (_, _) => new JsonlAdapter(),
            ["synthetic"] = (_, _) => new SyntheticAdapter(),
            [SplitFormat] = (_, split) => new TrafficAdapter(split),
        };

    /// <summary>Every format name, sorted.</summary>
    public static IReadOnlyList<string> Formats => [.. Factories.Keys];

    /// <summary>The adapter for <paramref name="format"/> (case-insensitive), or null.</summary>
    /// <exception cref="EvalDataException">The format has no split and <paramref name="split"/> is not All.</exception>
    public static IEvalDatasetAdapter? Find(string format, EvalSpecCatalogs? catalogs = null, EvalSplit split = EvalSplit.All)
    {
        if (!Factories.TryGetValue(format.Trim(), out var create))
        {
            return null;
        }

        if (split != EvalSplit.All && !string.Equals(format.Trim(), SplitFormat, StringComparison.OrdinalIgnoreCase))
        {
            throw new EvalDataException($"The {format.Trim().ToLowerInvariant()} format has no {EvalSplits.NameOf(split)} split: "
                + $"only the {SplitFormat} format takes --split {string.Join("|", EvalSplits.Names)}; use --split all.");
        }

        return create(catalogs ?? new EvalSpecCatalogs(), split);
    }

    /// <exception cref="EvalDataException">No adapter has that name (the message lists the names), or the format has no
    /// split and <paramref name="split"/> is not All.</exception>
    public static IEvalDatasetAdapter Get(string format, EvalSpecCatalogs? catalogs = null, EvalSplit split = EvalSplit.All) =>
        Find(format, catalogs, split)
        ?? throw new EvalDataException($"Unknown dataset format '{format}'. Known formats: {string.Join(", ", Formats)}.");
}
