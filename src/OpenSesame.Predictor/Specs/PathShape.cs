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
public sealed record PathParameterSlot(string Name, string Entity);
