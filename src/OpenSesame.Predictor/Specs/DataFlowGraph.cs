namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Which operations produce which identifiers and which consume them, derived from the catalog alone: a list,
/// search or create hands back ids of its resource, a response schema names the ids it carries, and a required path
/// parameter (or a required <c>*_id</c> parameter) consumes one. "Who directed Titanic?" needs
/// <c>/movie/{movie_id}/credits</c>, whose movie id only <c>/search/movie</c> can produce.
/// </summary>
public sealed class DataFlowGraph
{
    private readonly string[][] _produces;
    private readonly string[][] _consumes;

    internal DataFlowGraph(EndpointCatalog catalog)
    {
        _produces = [.. catalog.Operations.Select(ProducedBy)];
        _consumes = [.. catalog.Operations.Select(ConsumedBy)];
    }


    /// <summary>Entities whose ids the operation's response hands back.</summary>
    public IReadOnlyList<string> Produces(ApiOperation operation) => _produces[operation.Index];

    /// <summary>Entities whose ids the operation needs before it can be called.</summary>
    public IReadOnlyList<string> Consumes(ApiOperation operation) => _consumes[operation.Index];

    /// <summary>Whether the producer's response yields an id of this entity.</summary>
    public bool ProducesEntity(ApiOperation producer, string entity) =>
        _produces[producer.Index].Any(p => SameEntity(p, entity));

    /// <summary>Whether a call of <paramref name="producer"/> yields an id that <paramref name="consumer"/> needs.</summary>
    public bool Feeds(ApiOperation producer, ApiOperation consumer) =>
        _consumes[consumer.Index].Any(entity => ProducesEntity(producer, entity));

    /// <summary>
    /// Entity names match when equal, when one is the other's last word (<c>pull_request</c> / <c>request</c> does
    /// not occur, <c>repo_collaborator</c> / <c>collaborator</c> does), or when one single word abbreviates the
    /// other (<c>repo</c> / <c>repository</c>).
    /// </summary>
    public static bool SameEntity(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
        // Ends with "_" + shorter, without making that string: requests compare every operation's entities.
        if (longer.Length > shorter.Length && longer[^(shorter.Length + 1)] == '_' && longer.EndsWith(shorter, StringComparison.Ordinal))
        {
            return true;
        }

        return shorter.Length >= 3 && !shorter.Contains('_') && !longer.Contains('_')
            && longer.StartsWith(shorter, StringComparison.Ordinal);
    }

    private static string[] ProducedBy(ApiOperation operation)
    {
        var produced = new HashSet<string>(operation.ResponseEntities, StringComparer.Ordinal);
        if (operation.Kind is OperationKind.List or OperationKind.Search or OperationKind.Create
            && !operation.Path.EndsWithParameter && operation.Path.MainResource is { } resource)
        {
            produced.Add(resource);
        }

        // A detail read echoes the id it was given; that is not producing it.
        produced.ExceptWith(operation.Path.Slots.Select(s => s.Entity));
        return [.. produced.Order(StringComparer.Ordinal)];
    }

    private static string[] ConsumedBy(ApiOperation operation)
    {
        var consumed = new HashSet<string>(operation.Path.Slots.Select(s => s.Entity), StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters.Where(p => p.Required && p.In is ParameterLocation.Query or ParameterLocation.Body))
        {
            var words = Tokenizer.Words(parameter.Name);
            if (words.Count > 1 && words[^1] is "id" or "ids")
            {
                consumed.Add(Tokenizer.Stem(string.Join('_', words.Take(words.Count - 1))));
            }
        }

        return [.. consumed.Order(StringComparer.Ordinal)];
    }
}
