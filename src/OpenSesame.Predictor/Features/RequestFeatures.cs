using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Features;

/// <summary>
/// The features of one request: <see cref="FeatureSchema"/> for any operation of its spec. Everything that depends only
/// on the request (lexical scores over the whole spec, the prompt's embedding, the last calls' shapes, call counts,
/// the data-flow targets) is computed once, when the pipeline makes it, so describing all 945 operations of a large
/// spec stays well under a millisecond. The local generator orders the spec by these features, the ranker scores the
/// pool by them (<see cref="Vector"/>), and the explanation names the ones that mattered.
/// </summary>
public sealed class RequestFeatures
{
    // P(kind of next step | kind of last step): a transparent prior over CRUD lifecycles (rows sum to 1).
    // Rows and columns follow OperationKind (List, Search, Read, Create, Update, Delete, Action); the last row is
    // "no history".
    private static readonly float[][] LifecycleTable =
    [
        [0.15f, 0.08f, 0.40f, 0.15f, 0.10f, 0.05f, 0.07f],
        [0.10f, 0.15f, 0.45f, 0.05f, 0.12f, 0.05f, 0.08f],
        [0.12f, 0.08f, 0.15f, 0.12f, 0.25f, 0.08f, 0.20f],
        [0.15f, 0.07f, 0.20f, 0.15f, 0.15f, 0.03f, 0.25f],
        [0.15f, 0.10f, 0.20f, 0.10f, 0.20f, 0.05f, 0.20f],
        [0.35f, 0.10f, 0.10f, 0.15f, 0.05f, 0.20f, 0.05f],
        [0.20f, 0.10f, 0.20f, 0.15f, 0.10f, 0.05f, 0.20f],
        [0.35f, 0.25f, 0.10f, 0.20f, 0.05f, 0.02f, 0.03f],
    ];

    private readonly PredictionContext _context;
    private readonly float[] _lexical;
    private readonly int[] _lexicalRank;
    private readonly float _bestLexical;
    private readonly HashSet<string> _promptWords;
    private readonly PathShape? _lastShape;
    private readonly HashSet<string> _lastResources;
    private readonly HashSet<string> _previousResources;
    private readonly int _lastKindRow;
    private readonly Dictionary<int, int> _callCounts = [];
    private readonly Dictionary<int, int> _lastPosition = [];
    private readonly Dictionary<int, int> _transitionsFromLast = [];
    private readonly HashSet<string> _lastValues;
    private readonly float _historyLength;
    private readonly float _historyRepeatRate;
    private readonly UsageView? _usage;
    private readonly HashSet<string> _historyEntities = new(StringComparer.Ordinal);
    private readonly string? _listedEntity;
    private readonly bool _promptHasId;
    private readonly HashSet<OperationKind> _intendedKinds;
    private readonly float[]? _semantic;
    private readonly int[]? _semanticRank;
    private readonly float _semanticMin;
    private readonly float _semanticMax;
    private readonly float _secondsSinceLast;
    private readonly int[] _historyOperations;
    private readonly float[]?[] _extracted;
    private readonly float[][]? _historySimilarities;
    private readonly float[]? _lastSimilarities;
    private readonly DataFlowGraph? _graph;
    private readonly IReadOnlyList<string> _lastProduces = [];
    private readonly float[]? _producerScore;
    private readonly (ApiOperation Target, string Entity)?[]? _producerTarget;
    private readonly PromptSteps? _steps;

    public RequestFeatures(PredictionContext context)
    {
        _context = context;
        _extracted = new float[context.Catalog.Operations.Count][];
        var index = context.Catalog.Lexical;
        _lexical = context.PromptTerms.Count > 0 ? index.Score(context.PromptTerms) : new float[index.DocumentCount];
        _bestLexical = _lexical.Length == 0 ? 0 : _lexical.Max();
        _lexicalRank = ScoreOrder.Ranks(_lexical);
        _promptWords = [.. context.PromptTerms];

        var history = context.History;
        _lastShape = context.Last?.Match.Shape;
        _lastResources = [.. _lastShape?.Resources ?? []];
        _previousResources = [.. history.Count > 1 ? history[^2].Match.Shape?.Resources ?? [] : []];
        _lastKindRow = context.Last is { } last ? (int)last.Kind : LifecycleTable.Length - 1;
        _lastValues = [.. context.Last?.Match.PathValues.Values ?? []];

        for (var i = 0; i < history.Count; i++)
        {
            if (history[i].Operation is not { } operation)
            {
                continue;
            }

            _callCounts[operation.Index] = _callCounts.GetValueOrDefault(operation.Index) + 1;
            _lastPosition[operation.Index] = i;
            if (i > 0 && context.Last?.Operation is { } lastCalled && history[i - 1].Operation?.Index == lastCalled.Index)
            {
                _transitionsFromLast[operation.Index] = _transitionsFromLast.GetValueOrDefault(operation.Index) + 1;
            }
        }

        foreach (var resolved in history)
        {
            if (resolved.Match.Shape is { } seen)
            {
                _historyEntities.UnionWith(seen.Resources);
                _historyEntities.UnionWith(seen.Slots.Select(slot => slot.Entity));
            }
        }

        // A list, search or create hands back ids of the resource it ends on (/search/person → person ids).
        _listedEntity = context.Last is { Kind: OperationKind.List or OperationKind.Search or OperationKind.Create } listing
                        && listing.Match.Shape is { EndsWithParameter: false } listed
            ? listed.MainResource
            : null;
        _promptHasId = Tokenizer.Words(context.Prompt).Exists(LooksLikeId);
        _intendedKinds = OperationClassifier.IntendedKinds(context.Prompt);
        _historyOperations = [.. history.Select(h => h.Operation?.Index ?? -1).Where(i => i >= 0).Distinct()];
        // A spec whose vectors are still being built answers without them: the prompt's own vector would have nothing
        // to be compared with.
        var semanticIndex = context.Embedder is { } embedder && (context.Prompt is not null || _historyOperations.Length > 0)
            ? embedder.ReadyIndexOf(context.Catalog)
            : null;
        if (semanticIndex is not null)
        {
            _historySimilarities = [.. _historyOperations.Select(semanticIndex.SimilaritiesTo)];
            _lastSimilarities = context.Last?.Operation is { } lastCalled ? semanticIndex.SimilaritiesTo(lastCalled.Index) : null;
            if (context.Prompt is { } promptText)
            {
                _semantic = semanticIndex.Similarities(context.Embedder!.Embed(promptText));
                _semanticRank = ScoreOrder.Ranks(_semantic);
                (_semanticMin, _semanticMax) = (_semantic.Min(), _semantic.Max());
            }
        }

        _steps = PromptSteps.For(context, semanticIndex, _lexical, _semantic);
        if (context.DataFlow)
        {
            _graph = context.Catalog.DataFlow;
            if (context.Last?.Operation is { } lastOperation)
            {
                _lastProduces = _graph.Produces(lastOperation);
            }

            if (context.Prompt is not null)
            {
                (_producerScore, _producerTarget) = ProducersForPromptTargets(_graph);
            }
        }

        _historyLength = MathF.Log(1 + history.Count);
        _historyRepeatRate = history.Count < 2
            ? 0
            : Enumerable.Range(1, history.Count - 1).Count(i => history[i].Operation is { } op && history[i - 1].Operation?.Index == op.Index)
              / (float)(history.Count - 1);
        // Once per request: every operation is scored against the same observed steps.
        _usage = context.Usage?.Estimate(history, context.Catalog.Operations.Count, context.Now, context.UsageWords);
        _secondsSinceLast = context.Last?.Event.Timestamp is { } at && at <= context.Now
            ? MathF.Log(1 + (float)(context.Now - at).TotalSeconds)
            : 0;
    }

    public PredictionContext Context => _context;

    /// <summary>What makes this request hard, as the router weighs it: the prompt, the history's length, and the
    /// operations the prompt plausibly means (those its words match at all, a positive BM25 score).</summary>
    internal ComplexityInput Complexity =>
        new(_context.Prompt, _context.History.Count, _context.Prompt is null ? 0 : _lexical.Count(score => score > 0));

    /// <summary>The raw BM25 score of an operation, for explanations and the lexical-only baseline.</summary>
    public float LexicalScore(ApiOperation operation) => _lexical[operation.Index];

    /// <summary>Cosine similarity of the prompt to an operation; 0 without a prompt or embedder.</summary>
    public float SemanticScore(ApiOperation operation) => _semantic?[operation.Index] ?? 0;

    public bool HasSemantic => _semantic is not null;

    /// <summary>The prompt read as steps, and where the history is in them; null without a prompt.</summary>
    internal PromptSteps? Steps => _steps;

    /// <summary>
    /// How close an operation sits to the history, by structure alone: the last call again (retries, polling, paging:
    /// a fifth to a quarter of real client calls), another method on its path, an earlier call again, then the last
    /// path's children (nearest first), parent and siblings, then what consumes its ids; 0 when none holds. Ties go to
    /// the heuristic score. Real specs have hundreds of operations and a history-only request has no other signal
    /// this sharp, so these neighbours must not be crowded out of the pool.
    /// </summary>
    private float Closeness(ApiOperation operation, float[] features)
    {
        if (_lastShape is null)
        {
            return 0;
        }

        var recency = features[FeatureSchema.Recency];
        var relation = recency >= 1 ? 8f
            : features[FeatureSchema.PathSame] > 0 ? 6f
            : recency > 0 ? 4f + recency
            : features[FeatureSchema.PathChild] > 0 ? 3f + (1f / Math.Max(1, operation.Path.Depth - _lastShape.Depth))
            : features[FeatureSchema.PathParent] > 0 ? 2.5f
            : features[FeatureSchema.PathSibling] > 0 ? 2f
            : features[FeatureSchema.ConsumesFromLast] > 0 || features[FeatureSchema.UsesLastId] > 0 ? 1f
            : 0f;
        return relation == 0 ? 0 : (relation + (0.01f * Math.Clamp(features[FeatureSchema.Heuristic], -50, 50))) / 8.5f;
    }

    /// <summary>The operation the prompt points at that needs an id this operation yields, if any.</summary>
    public (ApiOperation Target, string Entity)? PromptTargetFedBy(ApiOperation operation) => _producerTarget?[operation.Index];

    // How many of the prompt's best-matching operations may ask for a producer of the id they lack.
    private const int PromptTargets = 3;

    /// <summary>
    /// For the operations the prompt matches best, the ids they need that neither the history nor the prompt holds;
    /// every operation whose response yields such an id scores 1/(1+rank of that target).
    /// </summary>
    private (float[] Scores, (ApiOperation, string)?[] Targets) ProducersForPromptTargets(DataFlowGraph graph)
    {
        var operations = _context.Catalog.Operations;
        var scores = new float[operations.Count];
        var targets = new (ApiOperation, string)?[operations.Count];
        var relevance = new float[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            relevance[i] = (_bestLexical > 0 ? _lexical[i] / _bestLexical : 0)
                + (_semantic is not null && _semanticMax > _semanticMin ? (_semantic[i] - _semanticMin) / (_semanticMax - _semanticMin) : 0);
        }

        var best = ScoreOrder.Descending(relevance, positiveOnly: true).Take(PromptTargets).ToList();
        for (var rank = 0; rank < best.Count; rank++)
        {
            var target = operations[best[rank]];
            var weight = 1f / (1 + rank);
            foreach (var entity in MissingIds(graph, target))
            {
                foreach (var producer in operations)
                {
                    if (producer.Index != target.Index && weight > scores[producer.Index] && graph.ProducesEntity(producer, entity)
                        && !graph.Consumes(producer).Any(c => DataFlowGraph.SameEntity(c, entity)))
                    {
                        scores[producer.Index] = weight;
                        targets[producer.Index] = (target, entity);
                    }
                }
            }
        }

        return (scores, targets);
    }

    // An id-like word in the prompt ("open MOB-216") fills the target's id itself.
    private IEnumerable<string> MissingIds(DataFlowGraph graph, ApiOperation target) =>
        _promptHasId
            ? []
            : graph.Consumes(target).Where(entity => _context.Values.ForEntity(entity) is null
                && !target.Path.Slots.Any(s => s.Entity == entity && _context.Values.ForSlot(s) is not null));

    /// <summary>What <paramref name="operation"/> is to this request: every feature but the generators'.</summary>
    public float[] Extract(ApiOperation operation) => Features(operation).ToArray();

    /// <summary>
    /// <see cref="Extract"/> without a copy, computed once per operation: the shortlist reads every operation's, and the
    /// pool's candidates need theirs again for their vectors.
    /// </summary>
    internal ReadOnlySpan<float> Features(ApiOperation operation) => _extracted[operation.Index] ??= Compute(operation);

    private float[] Compute(ApiOperation operation)
    {
        var f = new float[FeatureSchema.Count];
        var shape = operation.Path;

        f[FeatureSchema.Lexical] = _bestLexical > 0 ? _lexical[operation.Index] / _bestLexical : 0;
        f[FeatureSchema.LexicalRank] = _lexical[operation.Index] > 0 ? 1f / (1 + _lexicalRank[operation.Index]) : 0;
        f[FeatureSchema.PromptResourceMatch] = shape.Resources.Count == 0 || _promptWords.Count == 0
            ? 0
            : shape.Resources.Distinct().Count(_promptWords.Contains) / (float)shape.Resources.Distinct().Count();

        if (_lastShape is not null)
        {
            f[FeatureSchema.ResourceOverlap] = Jaccard(shape.Resources, _lastResources);
            var relation = Relation(shape, _lastShape);
            f[FeatureSchema.PathSame] = relation == PathRelation.Same ? 1 : 0;
            f[FeatureSchema.PathChild] = relation == PathRelation.Child ? 1 : 0;
            f[FeatureSchema.PathParent] = relation == PathRelation.Parent ? 1 : 0;
            f[FeatureSchema.PathSibling] = relation == PathRelation.Sibling ? 1 : 0;
        }

        f[FeatureSchema.PreviousOverlap] = _previousResources.Count > 0 ? Jaccard(shape.Resources, _previousResources) : 0;
        f[FeatureSchema.LifecyclePrior] = LifecycleTable[_lastKindRow][(int)operation.Kind];

        var (available, usesLast) = PathParameterAvailability(operation);
        f[FeatureSchema.ParamsAvailable] = available;
        f[FeatureSchema.UsesLastId] = usesLast ? 1 : 0;

        var count = _callCounts.GetValueOrDefault(operation.Index);
        f[FeatureSchema.CallCount] = MathF.Log(1 + count);
        f[FeatureSchema.Recency] = _lastPosition.TryGetValue(operation.Index, out var at)
            ? 1f / (_context.History.Count - at)
            : 0;
        f[FeatureSchema.TransitionSeen] = MathF.Log(1 + _transitionsFromLast.GetValueOrDefault(operation.Index));

        var destructive = _context.Destructive.IsDestructive(operation);
        f[FeatureSchema.Destructive] = destructive ? 1 : 0;
        f[FeatureSchema.DestructiveWithoutIntent] = destructive && !_context.RemovalIntent ? 1 : 0;
        f[FeatureSchema.EntryPoint] = EntryPoint(operation);
        f[FeatureSchema.HistoryLength] = _historyLength;
        if (_usage is { Crowd: { Any: true } crowd })
        {
            f[FeatureSchema.UsageProbability] = crowd.Probabilities[operation.Index];
            f[FeatureSchema.UsageEvidence] = MathF.Log(1 + crowd.Evidence);
            f[FeatureSchema.UsageOrder] = (crowd.Order + 1f) / (UsageCounts.MaxOrder + 1);
        }

        if (_usage?.Personal is { } personal)
        {
            f[FeatureSchema.UsagePersonal] = personal.Probabilities[operation.Index];
        }

        if (_usage?.Words is { } byWords)
        {
            f[FeatureSchema.UsageWords] = byWords.Probabilities[operation.Index];
            f[FeatureSchema.UsageWordsEvidence] = MathF.Log(1 + byWords.Evidence);
        }

        f[FeatureSchema.SecondsSinceLast] = _secondsSinceLast;
        f[FeatureSchema.HasPrompt] = _context.Prompt is null ? 0 : 1;

        f[FeatureSchema.KindRead] = operation.Kind is OperationKind.List or OperationKind.Search or OperationKind.Read ? 1 : 0;
        f[FeatureSchema.KindCreate] = operation.Kind == OperationKind.Create ? 1 : 0;
        f[FeatureSchema.KindUpdate] = operation.Kind == OperationKind.Update ? 1 : 0;
        f[FeatureSchema.KindAction] = operation.Kind == OperationKind.Action ? 1 : 0;
        f[FeatureSchema.Depth] = shape.Depth / 10f;
        if (_semantic is not null)
        {
            // Relative, not raw: long task descriptions and short commands give cosines on different scales.
            f[FeatureSchema.Semantic] = _semanticMax > _semanticMin
                ? (_semantic[operation.Index] - _semanticMin) / (_semanticMax - _semanticMin)
                : 0;
            f[FeatureSchema.SemanticRank] = 1f / (1 + _semanticRank![operation.Index]);
        }

        if (shape.Slots.Count > 0)
        {
            f[FeatureSchema.SlotEntitySeen] = shape.Slots.Count(s => _historyEntities.Contains(s.Entity)) / (float)shape.Slots.Count;
            f[FeatureSchema.NeedsListedEntity] = _listedEntity is not null && shape.Slots.Any(s => s.Entity == _listedEntity) ? 1 : 0;
            f[FeatureSchema.PromptHasId] = _promptHasId ? 1 : 0;
            f[FeatureSchema.PromptNamesKnownId] = PromptNamesKnownId(shape) ? 1 : 0;
            f[FeatureSchema.UnknownOpaqueIds] = _promptHasId
                ? 0
                : shape.Slots.Count(s => !s.TakesName && _context.Values.ForSlot(s) is null) / (float)shape.Slots.Count;
        }

        f[FeatureSchema.Deprecated] = operation.Deprecated ? 1 : 0;

        f[FeatureSchema.IntentKindMatch] = IntentMatches(operation.Kind) ? 1 : 0;
        if (_graph is not null)
        {
            f[FeatureSchema.ConsumesFromLast] = _graph.Consumes(operation).Any(e => _lastProduces.Any(p => DataFlowGraph.SameEntity(p, e))) ? 1 : 0;
            f[FeatureSchema.ProducesForPromptTarget] = _producerScore?[operation.Index] ?? 0;
        }

        if (_historySimilarities is { Length: > 0 })
        {
            f[FeatureSchema.SemanticLast] = _lastSimilarities is { } last ? Math.Max(0, last[operation.Index]) : 0;
            var closest = float.MinValue;
            foreach (var similarities in _historySimilarities)
            {
                closest = Math.Max(closest, similarities[operation.Index]);
            }

            f[FeatureSchema.SemanticHistory] = Math.Max(0, closest);
        }

        if (_steps is not null)
        {
            (f[FeatureSchema.StepNext], f[FeatureSchema.StepNextRank]) = _steps.NextStep(operation);
            f[FeatureSchema.StepCurrentRank] = _steps.CurrentStepRank(operation);
            f[FeatureSchema.StepsDone] = _steps.Done;
            f[FeatureSchema.StepKindMatch] = _steps.NextStepAsksFor(operation.Kind) ? 1 : 0;
        }

        f[FeatureSchema.Heuristic] = HeuristicScorer.Score(f);
        f[FeatureSchema.HistoryRepeatRate] = _historyRepeatRate;
        f[FeatureSchema.SameMethodAsLast] = _context.Last is { } lastCall && string.Equals(lastCall.Event.Method, operation.Method, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        f[FeatureSchema.Closeness] = Closeness(operation, f);
        return f;
    }

    /// <summary>The whole feature vector of a pool candidate: what the operation is to this request, and who proposed
    /// it. The one place a vector the ranker scores is made.</summary>
    /// <param name="ranks">The operation's 0-based rank in each generator that proposed it.</param>
    /// <param name="answered">The generators that answered this request with at least one candidate.</param>
    public float[] Vector(ApiOperation operation, IReadOnlyDictionary<string, int> ranks, IReadOnlyCollection<string> answered)
    {
        var features = Extract(operation);
        features[FeatureSchema.LocalRank] = ranks.TryGetValue(GeneratorNames.Local, out var local) ? 1f / (1 + local) : 0;
        var llm = answered.Contains(GeneratorNames.Llm);
        features[FeatureSchema.LlmAnswered] = llm ? 1 : 0;
        features[FeatureSchema.LlmRank] = llm && ranks.TryGetValue(GeneratorNames.Llm, out var rank) ? 1f / (1 + rank) : 0;
        features[FeatureSchema.GeneratorAgreement] = answered.Count == 0 ? 0 : (float)answered.Count(ranks.ContainsKey) / answered.Count;
        return features;
    }

    /// <summary>Share of path parameters the history can fill, and whether one of them is an id of the last call.</summary>
    public (float Available, bool UsesLast) PathParameterAvailability(ApiOperation operation)
    {
        var slots = operation.Path.Slots;
        if (slots.Count == 0)
        {
            return (1, false);
        }

        var known = 0;
        var usesLast = false;
        foreach (var slot in slots)
        {
            if (_context.Values.ForSlot(slot) is not { } value)
            {
                continue;
            }

            known++;
            usesLast |= value.Value.ValueKind == System.Text.Json.JsonValueKind.String
                && _lastValues.Contains(value.Value.GetString()!);
        }

        return (known / (float)slots.Count, usesLast);
    }

    private bool IntentMatches(OperationKind kind) => kind switch
    {
        OperationKind.List or OperationKind.Search => _intendedKinds.Contains(OperationKind.List) || _intendedKinds.Contains(OperationKind.Search),
        _ => _intendedKinds.Contains(kind),
    };

    private bool PromptNamesKnownId(PathShape shape) =>
        _context.Prompt is { } prompt && shape.Slots.Any(slot =>
            _context.Values.ForSlot(slot) is { } known && known.Value.ValueKind == System.Text.Json.JsonValueKind.String
            && known.Value.GetString() is { Length: >= 2 } value && prompt.Contains(value, StringComparison.OrdinalIgnoreCase));

    // Words split at "-" and "_", so "in_123" and "WEB-592" arrive as "123" and "592"; "4h" and "50" are no ids.
    private static bool LooksLikeId(string word) =>
        word.Count(char.IsDigit) >= 3 || (word.Any(char.IsDigit) && word.Any(char.IsLetter) && word.Length >= 5);

    private enum PathRelation
    {
        None,
        Same,
        Child,
        Parent,
        Sibling,
    }

    private static PathRelation Relation(PathShape candidate, PathShape last)
    {
        var a = candidate.Segments;
        var b = last.Segments;
        var common = 0;
        while (common < a.Count && common < b.Count && SameSegment(a[common], b[common]))
        {
            common++;
        }

        if (common == a.Count && common == b.Count)
        {
            return PathRelation.Same;
        }

        if (common == b.Count)
        {
            return PathRelation.Child;
        }

        if (common == a.Count)
        {
            return PathRelation.Parent;
        }

        return common == a.Count - 1 && common == b.Count - 1 ? PathRelation.Sibling : PathRelation.None;
    }

    // Two parameter segments at the same place are the same position in the tree whatever they are named.
    private static bool SameSegment(string a, string b) =>
        (PathShape.IsParameter(a) && PathShape.IsParameter(b)) || string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static float EntryPoint(ApiOperation operation)
    {
        var literalCount = operation.Path.Resources.Count;
        return operation.Kind switch
        {
            OperationKind.List or OperationKind.Search when operation.Path.Slots.Count == 0 => literalCount <= 2 ? 1f : 0.6f,
            OperationKind.List or OperationKind.Search => 0.3f,
            OperationKind.Read when operation.Path.Slots.Count <= 1 => 0.15f,
            _ => 0,
        };
    }

    private static float Jaccard(IReadOnlyList<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        // A path names a handful of resources: counting its distinct ones in place is cheaper than a set of them, and
        // this runs for every operation of the spec.
        int distinct = 0, intersection = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!SeenBefore(a, i))
            {
                distinct++;
                intersection += b.Contains(a[i]) ? 1 : 0;
            }
        }

        return intersection / (float)(distinct + b.Count - intersection);

        static bool SeenBefore(IReadOnlyList<string> list, int index)
        {
            for (var j = 0; j < index; j++)
            {
                if (string.Equals(list[j], list[index], StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
