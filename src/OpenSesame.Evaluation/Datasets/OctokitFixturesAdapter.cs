using System.Text.Json;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// Recorded GitHub traffic in the octokit/fixtures format: per scenario, <c>normalized-fixture.json</c>, an ordered list
/// of requests <c>{scope, method, path, body, ...}</c> with concrete paths (<c>/repos/octokit-fixture-org/labels/labels</c>)
/// and no prompt. One task per fixture file, against the GitHub v3 REST spec (api.github.com 1.1.4 from APIs.guru).
/// <list type="bullet">
/// <item>Requests to another host than api.github.com (release asset uploads to uploads.github.com, the archive
/// download that a tarball redirect leads to on codeload.github.com) are no calls of that spec: dropped and counted.</item>
/// <item>The query string leaves the path and becomes <see cref="EvalCall.Params"/>, with the top-level fields of a JSON
/// object body; the path stays concrete, as a client would send it.</item>
/// </list>
/// The dataset path may be a folder (every <c>normalized-fixture.json</c> below it, or every <c>*.json</c> if there is
/// none) or one fixture file. A spec override replaces the GitHub spec. A fixture that is not a JSON list is skipped and
/// reported, as is a request without method or path; when no fixture is readable the first error is thrown.
/// </summary>
internal sealed class OctokitFixturesAdapter : IEvalDatasetAdapter
{
    private const string ApiHost = "api.github.com";
    private const string FixtureFile = "normalized-fixture.json";

    private static readonly string GitHubSpec =
        Path.Combine("specs", "apis-guru", "APIs", "github.com", "api.github.com", "1.1.4", "openapi.yaml");

    public string Format => "octokit";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var files = FixtureFiles(datasetPath);
        var spec = EvalSpec.FromFile(specOverride is not null
            ? Path.GetFullPath(specOverride)
            : EvalDataLocator.FindFile(datasetPath, "the GitHub REST spec for octokit fixtures", GitHubSpec));
        var tasks = new List<EvalTask>();
        var read = 0;
        EvalDataException? first = null;
        foreach (var file in files)
        {
            var id = TaskId(datasetPath, file);
            JsonElement root;
            try
            {
                root = DatasetFiles.ReadJson(file);
                if (root.ValueKind != JsonValueKind.Array)
                {
                    throw new EvalDataException($"{file}: a fixture is a JSON list of requests, found {root.ValueKind}.");
                }
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "fixture", ex);
                continue;
            }

            read++;
            var gold = new List<EvalCall>();
            var index = -1;
            foreach (var request in root.EnumerateArray())
            {
                index++;
                var where = $"{file}: request {DatasetFiles.Invariant(index)}";
                var method = DatasetFiles.String(request, "method");
                var target = DatasetFiles.String(request, "path");
                if (method is null || target is null)
                {
                    DatasetFiles.Malformed(report, Format, "request", new EvalDataException(
                        $"{where}: the field '{(method is null ? "method" : "path")}' is missing or is not a string."));
                    continue;
                }

                var host = HostOf(DatasetFiles.String(request, "scope"));
                if (host is not null && !string.Equals(host, ApiHost, StringComparison.OrdinalIgnoreCase))
                {
                    report.Skip($"octokit: request to another host than {ApiHost} (uploads, archive downloads)",
                        $"{id}#{DatasetFiles.Invariant(index)}: {method.ToUpperInvariant()} {host}{target}");
                    continue;
                }

                var (path, parameters) = Split(target, request);
                gold.Add(new EvalCall(method.ToUpperInvariant(), path, parameters));
            }

            if (gold.Count == 0)
            {
                report.Skip($"octokit: a fixture has no request to {ApiHost}", id);
                continue;
            }

            tasks.Add(new EvalTask(id, spec, null, gold));
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private static List<string> FixtureFiles(string datasetPath)
    {
        if (File.Exists(datasetPath))
        {
            return [Path.GetFullPath(datasetPath)];
        }

        if (!Directory.Exists(datasetPath))
        {
            throw new EvalDataException($"The octokit fixtures {Path.GetFullPath(datasetPath)} are neither a folder nor a file.");
        }

        var files = Directory.EnumerateFiles(datasetPath, FixtureFile, SearchOption.AllDirectories).ToList();
        if (files.Count == 0)
        {
            files = Directory.EnumerateFiles(datasetPath, "*.json", SearchOption.AllDirectories).ToList();
        }

        if (files.Count == 0)
        {
            throw new EvalDataException($"The folder {Path.GetFullPath(datasetPath)} holds no {FixtureFile} and no other .json file.");
        }

        return [.. files.Select(Path.GetFullPath).Order(StringComparer.Ordinal)];
    }

    // The scenario: the fixture's folder relative to the dataset folder, or the file name for a loose file.
    private static string TaskId(string datasetPath, string file)
    {
        var name = Path.GetFileName(file) == FixtureFile
            ? Path.GetDirectoryName(file)!
            : Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file));
        var relative = Directory.Exists(datasetPath) ? Path.GetRelativePath(datasetPath, name) : Path.GetFileName(name);
        return relative == "." ? Path.GetFileName(Path.GetFullPath(datasetPath)) : relative.Replace('\\', '/');
    }

    private static string? HostOf(string? scope)
    {
        if (string.IsNullOrWhiteSpace(scope))
        {
            return null;
        }

        return Uri.TryCreate(scope.Trim(), UriKind.Absolute, out var uri) ? uri.Host : scope.Trim();
    }

    private static (string Path, Dictionary<string, string>? Parameters) Split(string target, JsonElement request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var cut = target.IndexOf('?', StringComparison.Ordinal);
        var path = cut < 0 ? target : target[..cut];
        if (cut >= 0)
        {
            foreach (var pair in target[(cut + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                parameters[key] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            }
        }

        if (request.TryGetProperty("body", out var body) && DatasetFiles.Parameters(body) is { } fields)
        {
            foreach (var (name, value) in fields)
            {
                parameters.TryAdd(name, value);
            }
        }

        return (path, parameters.Count > 0 ? parameters : null);
    }
}
