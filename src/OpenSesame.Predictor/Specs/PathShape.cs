namespace OpenSesame.Predictor.Specs;

/// <summary>
/// A path template split into segments, with the resource each parameter names, so that history ids can be
/// carried between operations that spell the same parameter differently (<c>{id}</c>, <c>{invoice}</c>, <c>{invoice_id}</c>).
/// </summary>
public sealed class PathShape
{
    private PathShape(string template, IReadOnlyList<string> segments, IReadOnlyList<string> resources,
        IReadOnlyList<PathParameterSlot> slots)
    {
        Template = template;
        Segments = segments;
        Resources = resources;
        Slots = slots;
    }

    public string Template { get; }

    /// <summary>Raw segments without slashes; parameters keep their braces.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>Singular, lower-case resource words of the literal segments, in path order.</summary>
    public IReadOnlyList<string> Resources { get; }

    /// <summary>Each path parameter with the resource it identifies.</summary>
    public IReadOnlyList<PathParameterSlot> Slots { get; }

    /// <summary>The resource the path ends on: the last literal word, or for "/invoices/{id}" the invoice.</summary>
    public string? MainResource => Resources.Count > 0 ? Resources[^1] : null;

    public int Depth => Segments.Count;

    public bool EndsWithParameter => Segments.Count > 0 && IsParameter(Segments[^1]);

    public static PathShape Parse(string template)
    {
        var segments = SplitPath(template);
        var resources = new List<string>();
        var slots = new List<PathParameterSlot>();
        string? lastLiteralResource = null;
        foreach (var segment in segments)
        {
            if (IsParameter(segment))
            {
                foreach (var name in ParameterNames(segment))
                {
                    slots.Add(new PathParameterSlot(name, EntityOf(name, lastLiteralResource)));
                }

                continue;
            }

            foreach (var word in Tokenizer.Words(segment))
            {
                if (IsNoiseSegmentWord(word))
                {
                    continue;
                }

                var resource = Tokenizer.Stem(word);
                resources.Add(resource);
                lastLiteralResource = resource;
            }
        }

        return new PathShape(template, segments, resources, slots);
    }

    public static IReadOnlyList<string> SplitPath(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool IsParameter(string segment) => segment.Contains('{', StringComparison.Ordinal);

    public static IEnumerable<string> ParameterNames(string segment)
    {
        var start = segment.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = segment.IndexOf('}', start + 1);
            if (end < 0)
            {
                yield break;
            }

            yield return segment[(start + 1)..end].TrimStart('+');
            start = segment.IndexOf('{', end + 1);
        }
    }

    /// <summary>
    /// The entity a parameter identifies: its own words minus "id"/"key"/"name" when they say something
    /// (<c>invoice_id</c> → invoice), else the literal segment before it (<c>/invoices/{id}</c> → invoice).
    /// </summary>
    public static string EntityOf(string parameterName, string? precedingResource)
    {
        var words = Tokenizer.Words(parameterName).Where(w => !IsIdentifierWord(w)).ToList();
        if (words.Count > 0)
        {
            return Tokenizer.Stem(string.Join('_', words));
        }

        return precedingResource ?? Tokenizer.Stem(parameterName.ToLowerInvariant());
    }

    private static bool IsIdentifierWord(string word) => word is "id" or "ids" or "uuid" or "key" or "sid" or "no";

    // Version and format segments ("v1", "2010-04-01", "api", "json") name no resource.
    private static bool IsNoiseSegmentWord(string word) =>
        word.Length == 0 || char.IsDigit(word[0]) || word is "api" or "rest" or "json" or "xml"
            || (word.Length <= 3 && word[0] == 'v' && word.Skip(1).All(char.IsDigit));
}

/// <summary>A path parameter and the entity (singular resource word) whose id it carries.</summary>
public sealed record PathParameterSlot(string Name, string Entity)
{
    /// <summary>Entities people refer to by a name they know and type (an owner, a repository, a workspace, a branch),
    /// not by an id some call hands out.</summary>
    public static readonly IReadOnlySet<string> NamedEntities = new HashSet<string>(StringComparer.Ordinal)
    {
        "owner", "user", "username", "login", "member", "assignee", "author", "workspace", "org", "organization", "team",
        "namespace", "repo", "repository", "project", "slug", "bucket", "domain", "zone", "region", "cluster", "app",
        "space", "site", "channel", "label", "tag", "branch", "environment", "path", "ref",
    };

    /// <summary>Whether the parameter takes a name its user knows without asking the API (a login, a repository, a
    /// slug), rather than an opaque id a list, search or create must hand out first (<c>movie_id</c>, <c>{invoice}</c>,
    /// <c>issue_number</c>). A client's first call may well need the former; it can hardly need the latter.</summary>
    public bool TakesName { get; } = IsName(Name, Entity);

    /// <summary><see cref="Tokenizer.NameKey"/> of the name, kept: every request looks up every slot of the spec by it.</summary>
    public string NameKey { get; } = Tokenizer.NameKey(Name);

    private static bool IsName(string name, string entity)
    {
        var words = Tokenizer.Words(name);
        if (words.Count > 0 && words[^1] is "id" or "ids" or "uuid" or "guid" or "sid" or "key" or "number" or "no" or "sha" or "hash")
        {
            return false;
        }

        return name.EndsWith("name", StringComparison.OrdinalIgnoreCase) || name.EndsWith("slug", StringComparison.OrdinalIgnoreCase)
            || NamedEntities.Contains(entity) || words.Any(NamedEntities.Contains);
    }
}
