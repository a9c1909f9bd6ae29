using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>One session's walk through a spec's <see cref="SpecWalkGraph"/>, with the ids it has seen.</summary>
internal sealed class SpecWalk
{
    private static readonly string[] Words =
    [
        "default", "prod", "staging", "web", "api", "billing", "marketing", "backend", "frontend", "data", "ops", "alpha",
        "beta", "docs", "mobile", "support", "sales", "infra", "team", "growth",
    ];

    private static readonly string[] People = ["ana", "ben", "chloe", "diego", "emma", "farid", "grace", "hiro", "ines", "jonas"];

    private readonly SpecWalkGraph _graph;
    private readonly string _domain;
    private readonly SpecWalkOptions _options;
    private readonly SyntheticSamplerOptions _session;
    private readonly Random _random;
    private readonly DateTimeOffset _start;
    private readonly Dictionary<string, EntityState> _entities = new(StringComparer.Ordinal);
    private readonly List<SyntheticCall> _calls = [];
    private readonly List<string?> _ids = [];
    private DateTimeOffset _clock;

    public SpecWalk(SpecWalkGraph graph, string domain, SpecWalkOptions options, Random random, DateTimeOffset start)
    {
        _graph = graph;
        _domain = domain;
        _options = options;
        _session = options.Sessions;
        _random = random;
        _start = start;
        _clock = start;
    }

    public SyntheticSession Run(SyntheticPromptKind kind)
    {
        // Short sessions are more common than long ones, as with the embedded domains' chains.
        var span = _session.MaxCalls - _session.MinCalls + 1;
        var length = _session.MinCalls + (int)Math.Floor(span * Math.Pow(_random.NextDouble(), 1.7));
        var current = Pick(_graph.Starts);
        while (true)
        {
            Call(current);
            if (_calls.Count >= length
                || (current.Kind == OperationKind.Delete && _calls.Count >= _session.MinCalls && _random.NextDouble() < _options.EndAfterDeleteProbability))
            {
                break;
            }

            var moves = _graph.MovesFrom(current);
            current = moves.Count == 0 || _random.NextDouble() < _options.DetourProbability ? Pick(_graph.Starts) : Pick(moves);
        }

        var (goal, prompts) = new SpecPrompter(_graph.Catalog, _session, _options.IdInPromptProbability).Write(_calls, _ids, kind, _random);
        return new SyntheticSession(_domain, goal, _calls, prompts) { PromptKind = kind };
    }

    private ApiOperation Pick(IReadOnlyList<(ApiOperation Operation, double Weight)> weighted)
    {
        var roll = _random.NextDouble() * weighted.Sum(p => p.Weight);
        foreach (var (operation, weight) in weighted)
        {
            roll -= weight;
            if (roll < 0)
            {
                return operation;
            }
        }

        return weighted[^1].Operation;
    }

    private void Call(ApiOperation operation)
    {
        var path = operation.PathTemplate;
        string? lastId = null;
        foreach (var slot in operation.Path.Slots)
        {
            var id = Resolve(slot.Entity, Generator(operation, slot.Name, slot.Entity));
            lastId = id;
            path = path.Replace("{" + slot.Name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal)
                .Replace("{+" + slot.Name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal);
        }

        var parameters = Parameters(operation);
        var produced = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!operation.Path.EndsWithParameter && ProducedEntity(operation) is { } entity)
        {
            var read = _graph.Index.ItemReadOf(operation);
            var generator = Generator(read, read is { Path.Slots.Count: > 0 } ? read.Path.Slots[^1].Name : null, entity);
            if (_graph.Index.IsListing(operation))
            {
                produced[entity] = Reveal(entity, generator);
            }
            else if (operation.Kind == OperationKind.Create)
            {
                var state = State(entity);
                state.Current = NewId(state, generator);
                produced[entity] = [state.Current];
            }
        }

        if (_calls.Count > 0)
        {
            _clock += Gap();
        }

        _calls.Add(new SyntheticCall(operation.Method, operation.PathTemplate, path, parameters, _clock) { Produced = produced });
        _ids.Add(lastId);
    }

    /// <summary>The entity a list shows or a create makes: the one its item read carries, else what the data flow says.</summary>
    private string? ProducedEntity(ApiOperation operation) =>
        _graph.Index.ItemReadOf(operation) is { Path.Slots.Count: > 0 } read
            ? read.Path.Slots[^1].Entity
            : operation.Kind is OperationKind.List or OperationKind.Search or OperationKind.Create
                ? _graph.Catalog.DataFlow.Produces(operation) is [var first, ..] ? first : operation.Path.MainResource
                : null;

    /// <summary>The item being worked on, else one the last list showed, else one the user brought from elsewhere.</summary>
    private string Resolve(string entity, ValueGenerator generator)
    {
        var state = State(entity);
        if (state.Current is null)
        {
            var unused = state.Pool.Where(id => !state.Used.Contains(id)).ToList();
            var choices = unused.Count > 0 ? unused : state.Pool;
            state.Current = choices.Count > 0 ? choices[_random.Next(choices.Count)] : NewId(state, generator);
        }

        state.Used.Add(state.Current);
        return state.Current;
    }

    private List<string> Reveal(string entity, ValueGenerator generator)
    {
        var state = State(entity);
        var ids = new List<string>();
        var count = _random.Next(_session.ListRevealMin, _session.ListRevealMax + 1);
        for (var i = 0; i < count; i++)
        {
            ids.Add(NewId(state, generator));
        }

        // The item just worked on often shows up again; after a list the user picks anew.
        if (state.Current is { } current && _random.Next(2) == 0)
        {
            ids[_random.Next(ids.Count)] = current;
        }

        state.Pool = ids;
        state.Current = null;
        return ids;
    }

    private string NewId(EntityState state, ValueGenerator generator)
    {
        var id = generator.Generate(_random, _start);
        for (var attempt = 0; attempt < 20 && !state.Issued.Add(id); attempt++)
        {
            id = generator.Generate(_random, _start);
        }

        return id;
    }

    private Dictionary<string, string> Parameters(ApiOperation operation)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var paging = _graph.Index.PagingOf(operation)?.Name;
        var optional = 0;
        foreach (var parameter in operation.Parameters)
        {
            // The first page sends no paging token; further pages are the client behaviours' part.
            if (parameter.In is not (ParameterLocation.Query or ParameterLocation.Body) || parameter.Name == paging
                || parameter.Type is { } type && (type.Contains("object", StringComparison.Ordinal) || type.Contains("array", StringComparison.Ordinal)))
            {
                continue;
            }

            if (!parameter.Required)
            {
                if (optional >= _options.MaxOptionalParameters || _random.NextDouble() >= _options.OptionalParameterProbability)
                {
                    continue;
                }

                optional++;
            }

            values[parameter.Name] = Value(parameter);
        }

        return values;
    }

    private string Value(ApiParameter parameter)
    {
        var name = parameter.Name.ToLowerInvariant();
        var words = Tokenizer.Words(parameter.Name);
        if (parameter.Enum is { Count: > 0 } choices)
        {
            return choices[_random.Next(choices.Count)];
        }

        if (words.Count > 1 && words[^1] is "id" or "ids" or "gid" or "sid")
        {
            // An id parameter names an item of its entity; the one in hand when the session knows one.
            var entity = PathShape.EntityOf(parameter.Name, null);
            return Resolve(entity, Generator(null, parameter.Name, entity));
        }

        return parameter.Type switch
        {
            { } t when t.Contains("boolean", StringComparison.Ordinal) => _random.Next(2) == 0 ? "true" : "false",
            { } t when t.Contains("integer", StringComparison.Ordinal) || t.Contains("number", StringComparison.Ordinal) =>
                _random.Next(1, 101).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ when name.Contains("email", StringComparison.Ordinal) => new ValueGenerator { Kind = ValueKind.Email }.Generate(_random, _start),
            _ when words.Any(w => w is "date" or "time" or "since" or "until" or "at" or "before" or "after") =>
                new ValueGenerator { Kind = ValueKind.Date, Min = -30, Max = 30 }.Generate(_random, _start),
            _ => new ValueGenerator { Kind = ValueKind.Slug, Words = Words }.Generate(_random, _start),
        };
    }

    /// <summary>How ids of an entity look, from the first parameter that carries one: the same entity keeps one look.</summary>
    private ValueGenerator Generator(ApiOperation? operation, string? parameterName, string entity)
    {
        var state = State(entity);
        if (state.Generator is { } known)
        {
            return known;
        }

        var parameter = operation?.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == parameterName);
        var name = (parameterName ?? entity).ToLowerInvariant();
        var words = Tokenizer.Words(parameterName ?? entity);
        state.Generator = parameter switch
        {
            { Enum.Count: > 0 } => new ValueGenerator { Kind = ValueKind.Choice, Values = parameter.Enum! },
            { Type: { } t } when t.Contains("integer", StringComparison.Ordinal) || t.Contains("number", StringComparison.Ordinal) =>
                new ValueGenerator { Kind = ValueKind.Numeric, Min = 1, Max = 999_999 },
            _ when words.Any(w => w is "uuid" or "guid") => new ValueGenerator { Kind = ValueKind.Uuid },
            _ when words.Count > 0 && words[^1] == "sid" => new ValueGenerator { Kind = ValueKind.Pattern, Pattern = Prefix(entity) + new string('%', 32) },
            _ when words.Count > 0 && words[^1] == "key" => new ValueGenerator { Kind = ValueKind.Pattern, Pattern = "@-###", Values = ["PROJ", "OPS", "WEB", "CORE"] },
            _ when words.Count > 0 && words[^1] is "username" or "login" => new ValueGenerator { Kind = ValueKind.Choice, Values = People },
            _ when name.EndsWith("name", StringComparison.Ordinal) || name.EndsWith("slug", StringComparison.Ordinal)
                   || PathParameterSlot.NamedEntities.Contains(entity) || words.Any(PathParameterSlot.NamedEntities.Contains) =>
                new ValueGenerator { Kind = ValueKind.Slug, Words = Words },
            _ => new ValueGenerator { Kind = ValueKind.Pattern, Pattern = "************" },
        };
        return state.Generator;
    }

    // Two capitals from the entity ("call" → "CA"), as prefixed ids read; pattern characters would be drawn instead.
    private static string Prefix(string entity)
    {
        var letters = new string([.. entity.Where(char.IsAsciiLetter).Take(2)]).ToUpperInvariant();
        return letters.Length == 2 ? letters : "ID";
    }

    private TimeSpan Gap()
    {
        var seconds = _random.NextDouble() < _session.LongPauseProbability
            ? _session.MaxGapSeconds + (_random.NextDouble() * (_session.LongPauseMaxSeconds - _session.MaxGapSeconds))
            : Math.Exp(Math.Log(_session.MinGapSeconds)
                       + (_random.NextDouble() * (Math.Log(_session.MaxGapSeconds) - Math.Log(_session.MinGapSeconds))));
        return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
    }

    private EntityState State(string entity)
    {
        if (!_entities.TryGetValue(entity, out var state))
        {
            _entities[entity] = state = new EntityState();
        }

        return state;
    }

    private sealed class EntityState
    {
        /// <summary>The id the user is working on; null right after a list, until they open one of its items.</summary>
        public string? Current { get; set; }

        /// <summary>Ids the latest list or search showed.</summary>
        public List<string> Pool { get; set; } = [];

        public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

        /// <summary>Every id made up so far, so two items never share one.</summary>
        public HashSet<string> Issued { get; } = new(StringComparer.Ordinal);

        public ValueGenerator? Generator { get; set; }
    }
}
