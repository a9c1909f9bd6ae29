using System.Text.Json;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// RestBench (RestGPT): a JSON list of <c>{"query", "solution": ["GET /search/person", ...]}</c>, templated paths and
/// no parameter values. The spec follows from the file name (<c>tmdb*.json</c>, <c>spotify*.json</c>) and is looked for
/// in a <c>specs/</c> folder above the dataset, then under the evaldata folder's <c>restbench/specs/</c>.
/// The labels have known defects (stray spaces; <c>/person/{movie_id}/movie_credits</c>); they are repaired by rule, not
/// by listing them, because the held-out Spotify file has its own: every label is trimmed, and a path parameter named
/// unlike the spec's parameter at that place takes the spec's name when the rest of the path is a spec path.
/// A malformed task (no <c>solution</c> list) is skipped and reported; a file without a readable task throws.
/// </summary>
internal sealed class RestBenchAdapter(EvalSpecCatalogs catalogs) : IEvalDatasetAdapter
{
    private static readonly (string Prefix, string SpecFile)[] SpecsByFileName =
    [
        ("tmdb", "tmdb_oas.json"),
        ("spotify", "spotify_oas.json"),
    ];

    public RestBenchAdapter()
        : this(new EvalSpecCatalogs())
    {
    }

    public string Format => "restbench";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var spec = specOverride is null ? FindSpec(datasetPath) : EvalSpec.FromFile(Path.GetFullPath(specOverride));
        var root = DatasetFiles.ReadJson(datasetPath);
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new EvalDataException($"{datasetPath}: a RestBench dataset is a JSON list of tasks, found {root.ValueKind}.");
        }

        var catalog = catalogs.Get(spec);
        var name = Path.GetFileNameWithoutExtension(datasetPath);
        var tasks = new List<EvalTask>();
        var index = -1;
        var read = 0;
        EvalDataException? first = null;
        foreach (var item in root.EnumerateArray())
        {
            index++;
            var id = $"{name}/{DatasetFiles.Invariant(index)}";
            var where = $"{datasetPath}: task {DatasetFiles.Invariant(index)}";
            JsonElement solution;
            try
            {
                solution = DatasetFiles.Required(item, "solution", JsonValueKind.Array, where);
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "task", ex);
                continue;
            }

            read++;
            var gold = new List<EvalCall>();
            foreach (var label in solution.EnumerateArray())
            {
                if (label.ValueKind != JsonValueKind.String || DatasetFiles.ParseEndpoint(label.GetString()!) is not { } call)
                {
                    report.Skip("restbench: a solution step is not \"METHOD /path\"", $"{id}: {label.GetRawText()}");
                    continue;
                }

                gold.Add(SpecSpelling.AlignParameterNames(catalog, call));
            }

            if (gold.Count == 0)
            {
                report.Skip("restbench: a task has no usable solution steps", id);
                continue;
            }

            tasks.Add(new EvalTask(id, spec, DatasetFiles.String(item, "query"), gold));
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private static EvalSpec FindSpec(string datasetPath)
    {
        var fileName = Path.GetFileName(datasetPath);
        var specFile = SpecsByFileName
            .Where(s => fileName.StartsWith(s.Prefix, StringComparison.OrdinalIgnoreCase))
            .Select(s => s.SpecFile)
            .FirstOrDefault()
            ?? throw new EvalDataException(
                $"Cannot tell which spec the RestBench dataset {fileName} uses: its name starts with none of "
                + $"{string.Join(", ", SpecsByFileName.Select(s => s.Prefix))}. Pass the spec explicitly.");
        var path = EvalDataLocator.FindFile(datasetPath, $"the spec of RestBench dataset {fileName}",
            Path.Combine("specs", specFile), Path.Combine("restbench", "specs", specFile));
        return EvalSpec.FromFile(path);
    }
}
