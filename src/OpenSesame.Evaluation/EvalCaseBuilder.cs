using System.Globalization;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation;

/// <summary>
/// Cuts tasks into next-call questions and names each expected call by the spec's own operation key, so that scoring
/// compares like with like whatever spelling the dataset used (<c>PUT /files/{id}</c>, <c>conversations.history</c>,
/// <c>GET /repos/octokit/hello-world</c>). Mapping goes through the catalog's matcher, the same one predictions use.
/// </summary>
internal sealed class EvalCaseBuilder(EvalSpecCatalogs catalogs)
{
    public const string NoOperation = "no spec path matches the call";
    public const string PrefixOnly = "only a leading part of the path is a spec path";
    public const string MethodNotDeclared = "the path is a spec path but the method is not declared on it";
    public const string GreedyParameter = "a trailing path parameter took several segments";
    public const string AliasPath = "an id-based alias of a spec path";
    public const string NamedOperationMissing = "the operation the dataset names is not in the spec";

    public EvalCaseBuilder()
        : this(new EvalSpecCatalogs())
    {
    }

    public EvalSpecCatalogs Catalogs => catalogs;

    /// <summary>All cases of all tasks; counts go to <paramref name="report"/>.</summary>
    public List<EvalCase> Build(IEnumerable<EvalTask> tasks, EvalReport report)
    {
        var cases = new List<EvalCase>();
        foreach (var task in tasks)
        {
            cases.AddRange(Build(task, report));
        }

        return cases;
    }

    /// <summary>
    /// One case per gold index i &gt;= <see cref="EvalTask.FirstTarget"/>: history = gold[0..i), expected = gold[i],
    /// the operation the dataset names for it (<see cref="EvalCall.Operation"/>) or else the one its path maps onto.
    /// A target that maps onto no operation yields no case, nor does a call the dataset marks as no target. History keeps the calls as the dataset spelled them,
    /// mapped or not, because a predictor meets unknown calls in real traffic too.
    /// </summary>
    public List<EvalCase> Build(EvalTask task, EvalReport report)
    {
        var catalog = catalogs.Get(task.Spec);
        report.Tasks++;
        var cases = new List<EvalCase>();
        for (var i = 0; i < task.Gold.Count; i++)
        {
            var call = task.Gold[i];
            var example = string.Create(CultureInfo.InvariantCulture, $"{task.Id}#{i}: {call.Endpoint}");
            if (!call.IsTarget)
            {
                if (i >= task.FirstTarget)
                {
                    report.HistoryOnlyCalls++;
                }

                continue;
            }

            var operation = OperationOf(catalog, call, out var reason);
            if (operation is null)
            {
                report.Unmap(reason!, example);
            }
            else if (reason is not null)
            {
                report.Loose(reason, $"{example} -> {operation.Key}");
            }

            if (i < task.FirstTarget)
            {
                continue;
            }

            if (operation is null)
            {
                report.UnmappableCases++;
                continue;
            }

            cases.Add(new EvalCase(task.Id, task.Spec, task.Prompt, task.Gold.Take(i).ToList(), operation.Key));
            report.Cases++;
        }

        return cases;
    }

    /// <summary>The operation a gold call is: the one the dataset names for it, else the one its path maps onto.</summary>
    /// <param name="reason">Why the call did not map, or why it mapped only loosely; null for an exact match.</param>
    public static ApiOperation? OperationOf(EndpointCatalog catalog, EvalCall call, out string? reason) =>
        call.Operation is { } named ? Named(catalog, named, out reason) : Map(catalog, call, out reason);

    /// <summary>The operation the dataset names for a call ("METHOD /template"), when the spec has it.</summary>
    public static ApiOperation? Named(EndpointCatalog catalog, string operation, out string? reason)
    {
        var space = operation.IndexOf(' ', StringComparison.Ordinal);
        var found = space > 0 ? catalog.Find(operation[..space].ToUpperInvariant(), operation[(space + 1)..].Trim()) : null;
        reason = found is null ? NamedOperationMissing : null;
        return found;
    }

    /// <summary>
    /// The operation a call names: exact matches, id-based aliases of a spec path, and path matches (the operation the spec declares on that path, so a
    /// Slack method named without its HTTP verb still lands on it). Prefix-only matches are not the call; a
    /// path-like trailing parameter that took several segments (GitHub's <c>{ref}</c> = "heads/main") is loose but kept.
    /// </summary>
    /// <param name="reason">Why the call did not map, or why it mapped only loosely; null for an exact match.</param>
    public static ApiOperation? Map(EndpointCatalog catalog, EvalCall call, out string? reason)
    {
        var match = catalog.Matcher.Match(call.Method, call.Path);
        switch (match.Kind)
        {
            case MatchKind.Exact:
                reason = null;
                return match.Operation;
            case MatchKind.Path:
                reason = string.Equals(match.Operation!.Method, call.Method, StringComparison.OrdinalIgnoreCase)
                    ? GreedyParameter
                    : MethodNotDeclared;
                return match.Operation;
            case MatchKind.Alias:
                reason = AliasPath;
                return match.Operation;
            case MatchKind.Prefix:
                reason = PrefixOnly;
                return null;
            default:
                reason = NoOperation;
                return null;
        }
    }
}
