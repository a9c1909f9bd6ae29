using System.Text.Json;
using System.Text.Json.Serialization;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// How users move through one synthetic domain: a Markov chain over its operation keys, the entities whose ids flow
/// between calls, value generators for parameters, goals and phrasings. The file format is described in
/// Domains/README.md.
/// </summary>
internal sealed class SyntheticWorkflow
{
    /// <summary>The pseudo-target that ends a session.</summary>
    public const string End = "$end";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,

        // A misspelt field in a hand-written file must fail loudly, not silently fall back to a default.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string Domain { get; init; } = "";
    public string Description { get; init; } = "";
    public IReadOnlyDictionary<string, EntityDefinition> Entities { get; init; } = new Dictionary<string, EntityDefinition>();

    /// <summary>Generators for parameters of any operation, by parameter name; an operation's own win.</summary>
    public IReadOnlyDictionary<string, ValueGenerator> Params { get; init; } = new Dictionary<string, ValueGenerator>();

    /// <summary>Word lists that goals and phrasings may name as {placeholder}.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Vocabulary { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyDictionary<string, double> Start { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, OperationStep> Operations { get; init; } = new Dictionary<string, OperationStep>();

    /// <summary>Spec operations no walk reaches, each with the reason users of this domain would not call it.</summary>
    public IReadOnlyDictionary<string, string> Unreachable { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<GoalDefinition> Goals { get; init; } = [];

    public static SyntheticWorkflow Parse(string json) =>
        JsonSerializer.Deserialize<SyntheticWorkflow>(json, JsonOptions)
        ?? throw new JsonException("The workflow file is empty.");

    /// <summary>
    /// The entity a path slot carries: one that lists the parameter name among its <see cref="EntityDefinition.Params"/>,
    /// else the entity whose name means what <see cref="PathShape"/> infers, so sampler and predictor agree on slots.
    /// </summary>
    public string? EntityOf(PathParameterSlot slot)
    {
        foreach (var (name, entity) in Entities)
        {
            if (entity.Params.Contains(slot.Name, StringComparer.Ordinal))
            {
                return name;
            }
        }

        // PathShape stems what it infers ("invoic"); entity names stay readable and are compared in the same form.
        foreach (var name in Entities.Keys)
        {
            if (PathShape.EntityOf(name, null) == slot.Entity)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The generator for a parameter of an operation: the operation's own, else the domain-wide one.</summary>
    public ValueGenerator? GeneratorFor(string operationKey, string parameter) =>
        Operations.TryGetValue(operationKey, out var step) && step.Params.TryGetValue(parameter, out var own)
            ? own
            : Params.GetValueOrDefault(parameter);

    /// <summary>First-order weights of <paramref name="current"/>, with the second-order override for
    /// (<paramref name="previous"/>, <paramref name="current"/>) merged over them.</summary>
    public Dictionary<string, double> NextWeights(string? previous, string current)
    {
        var step = Operations[current];
        var weights = new Dictionary<string, double>(step.Next, StringComparer.Ordinal);
        if (previous is not null && step.After.TryGetValue(previous, out var overrides))
        {
            foreach (var (target, weight) in overrides)
            {
                weights[target] = weight;
            }
        }

        return weights;
    }

    /// <summary>Every operation a walk can reach from the start distribution through first- and second-order edges.</summary>
    public HashSet<string> Reachable()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(Start.Keys);
        while (queue.TryDequeue(out var key))
        {
            if (key == End || !seen.Add(key) || !Operations.TryGetValue(key, out var step))
            {
                continue;
            }

            foreach (var target in step.Next.Keys.Concat(step.After.Values.SelectMany(o => o.Keys)))
            {
                queue.Enqueue(target);
            }
        }

        return seen;
    }
}

internal sealed class EntityDefinition
{
    public required ValueGenerator Id { get; init; }

    /// <summary>Path parameter names that carry this entity when <see cref="PathShape"/> cannot tell (<c>{number}</c>).</summary>
    public IReadOnlyList<string> Params { get; init; } = [];
}

internal sealed class OperationStep
{
    /// <summary>Entities whose new id the response returns.</summary>
    public IReadOnlyList<string> Creates { get; init; } = [];

    /// <summary>Created entities whose id is a value the user chose (a repo name, a plan code): entity → parameter.</summary>
    public IReadOnlyDictionary<string, string> IdFromParam { get; init; } = new Dictionary<string, string>();

    /// <summary>Entities whose ids the response lists; the user goes on with one of them.</summary>
    public IReadOnlyList<string> Picks { get; init; } = [];

    public IReadOnlyDictionary<string, ValueGenerator> Params { get; init; } = new Dictionary<string, ValueGenerator>();

    /// <summary>An immediate repeat works on the same item (more usage, another message) instead of the next listed one.</summary>
    public bool SameItemOnRepeat { get; init; }

    /// <summary>How a user asks for this step ("finalize invoice {invoice}"); placeholders name entities, params or vocabulary.</summary>
    public IReadOnlyList<string> Phrasings { get; init; } = [];

    /// <summary>First-order transition weights, <see cref="SyntheticWorkflow.End"/> included.</summary>
    public IReadOnlyDictionary<string, double> Next { get; init; } = new Dictionary<string, double>();

    /// <summary>Second-order overrides: by previous operation, weights that replace those of <see cref="Next"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> After { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, double>>();
}

internal sealed class GoalDefinition
{
    /// <summary>Ways to say the goal; placeholders name entities (an id the user already knows) or vocabulary.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>The operations the goal involves, in the usual order; the last is the end state.</summary>
    public IReadOnlyList<string> Operations { get; init; } = [];
}
