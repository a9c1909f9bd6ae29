using System.Globalization;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>One session's walk through a domain's chain, with the ids it has seen and the goal steering it.</summary>
internal sealed class SessionWalk
{
    private readonly SyntheticDomain _domain;
    private readonly SyntheticWorkflow _workflow;
    private readonly SyntheticSamplerOptions _options;
    private readonly Random _random;
    private readonly DateTimeOffset _start;
    private readonly Dictionary<string, EntityState> _entities = new(StringComparer.Ordinal);
    private readonly List<SyntheticCall> _calls = [];

    // Entity and path parameter → id each call used, so its phrasing can say "finalize invoice in_…".
    private readonly List<Dictionary<string, string>> _callEntities = [];
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private GoalDefinition? _goal;
    private DateTimeOffset _clock;

    public SessionWalk(SyntheticDomain domain, SyntheticSamplerOptions options, Random random, DateTimeOffset start)
    {
        _domain = domain;
        _workflow = domain.Workflow;
        _options = options;
        _random = random;
        _start = start;
        _clock = start;
    }

    public SyntheticSession Run(SyntheticPromptKind kind)
    {
        var goalText = "";
        if (_workflow.Goals.Count > 0 && (kind == SyntheticPromptKind.Goal || _random.NextDouble() < _options.LatentGoalProbability))
        {
            _goal = _workflow.Goals[_random.Next(_workflow.Goals.Count)];
            goalText = RenderGoal(_goal.Texts[_random.Next(_goal.Texts.Count)]);
        }
        else if (kind == SyntheticPromptKind.Goal)
        {
            kind = SyntheticPromptKind.None;
        }

        Walk();
        return new SyntheticSession(_domain.Name, goalText, _calls, Prompts(kind, goalText)) { PromptKind = kind };
    }

    private void Walk()
    {
        string? previous = null;
        var current = PickStart();
        while (true)
        {
            Call(current);
            if (_calls.Count >= _options.MaxCalls)
            {
                return;
            }

            var next = PickNext(previous, current);
            if (next == SyntheticWorkflow.End)
            {
                return;
            }

            (previous, current) = (current, next);
        }
    }

    private string PickStart()
    {
        if (NextGoalStep() is { } first && _random.NextDouble() < _options.GoalStartProbability)
        {
            return first;
        }

        return Pick(_workflow.Start.ToDictionary(p => p.Key, p => p.Value * GoalFactor(p.Key), StringComparer.Ordinal));
    }

    private string PickNext(string? previous, string current)
    {
        if (_random.NextDouble() < _options.DetourProbability)
        {
            return PickStart();
        }

        var weights = _workflow.NextWeights(previous, current);

        // Someone with a task in mind goes straight to its next step even where the chain has no such habit.
        if (NextGoalStep() is { } step && !weights.ContainsKey(step) && _random.NextDouble() < _options.GoalJumpProbability)
        {
            return step;
        }

        foreach (var key in weights.Keys.ToList())
        {
            weights[key] *= key == SyntheticWorkflow.End ? EndFactor() : GoalFactor(key);
        }

        if (_calls.Count < _options.MinCalls)
        {
            weights.Remove(SyntheticWorkflow.End);
        }

        return weights.Values.Any(w => w > 0) ? Pick(weights) : PickStart();
    }

    /// <summary>The first operation of the goal, in its usual order, not done yet.</summary>
    private string? NextGoalStep() => _goal?.Operations.FirstOrDefault(k => !_done.Contains(k));

    private double GoalFactor(string key)
    {
        if (_goal is null || _done.Contains(key) || !_goal.Operations.Contains(key, StringComparer.Ordinal))
        {
            return 1;
        }

        return key == NextGoalStep() ? _options.GoalBoost * _options.GoalBoost : _options.GoalBoost;
    }

    private double EndFactor() =>
        _goal is null ? 1 : _done.Contains(_goal.Operations[^1]) ? _options.GoalEndBoost : _options.GoalEndSuppression;

    private string Pick(IReadOnlyDictionary<string, double> weights)
    {
        // Ordinal order, not dictionary order, so the draw depends only on the weights.
        var ordered = weights.Where(p => p.Value > 0).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var roll = _random.NextDouble() * ordered.Sum(p => p.Value);
        foreach (var (key, weight) in ordered)
        {
            roll -= weight;
            if (roll < 0)
            {
                return key;
            }
        }

        return ordered[^1].Key;
    }

    private void Call(string key)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var operation = _domain.Catalog.Find(key[..space], key[(space + 1)..])
                        ?? throw new InvalidOperationException($"{_domain.Name}: the workflow names {key}, which the spec lacks.");
        var step = _workflow.Operations[key];
        var previousCall = _calls.Count > 0 ? _calls[^1] : null;
        var repeat = previousCall?.Key == key;
        var used = new Dictionary<string, string>(StringComparer.Ordinal);

        var path = operation.PathTemplate;
        var slots = operation.Path.Slots;
        for (var i = 0; i < slots.Count; i++)
        {
            var entity = _workflow.EntityOf(slots[i])
                         ?? throw new InvalidOperationException($"{_domain.Name}: no entity carries {{{slots[i].Name}}} of {key}.");

            // A repeated call moves on to the next listed item (bulk edits); the parents stay the same.
            var id = Resolve(entity, advance: repeat && !step.SameItemOnRepeat && i == slots.Count - 1);
            used[entity] = id;
            used[slots[i].Name] = id;
            path = path.Replace("{" + slots[i].Name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal);
        }

        var parameters = Parameters(key, operation, previousCall, repeat, used);

        var produced = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var entity in step.Creates)
        {
            var state = State(entity);
            state.Current = step.IdFromParam.TryGetValue(entity, out var name) && parameters.TryGetValue(name, out var chosen)
                ? chosen
                : NewId(entity);
            state.Issued.Add(state.Current);
            produced[entity] = [state.Current];
        }

        foreach (var entity in step.Picks)
        {
            produced[entity] = Reveal(entity);
        }

        if (_calls.Count > 0)
        {
            _clock += Gap();
        }

        _calls.Add(new SyntheticCall(operation.Method, operation.PathTemplate, path, parameters, _clock) { Produced = produced });
        _callEntities.Add(used);
        _done.Add(key);
    }

    private Dictionary<string, string> Parameters(string key, ApiOperation operation, SyntheticCall? previousCall, bool repeat,
        Dictionary<string, string> used)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var paging = repeat && operation.Parameters.Any(p =>
            _workflow.GeneratorFor(key, p.Name)?.Kind is ValueKind.Cursor or ValueKind.Page or ValueKind.Offset);
        foreach (var parameter in operation.Parameters)
        {
            if (parameter.In is not (ParameterLocation.Query or ParameterLocation.Body)
                || _workflow.GeneratorFor(key, parameter.Name) is not { } generator)
            {
                continue;
            }

            var send = parameter.Required || _random.NextDouble() < (generator.Probability ?? 0.5);
            var value = generator.Kind switch
            {
                ValueKind.Cursor => repeat ? Cursor(generator, previousCall!) : null,
                ValueKind.Page => repeat ? NextPage(previousCall!, parameter.Name, 1, 1) : null,
                ValueKind.Offset => repeat ? NextPage(previousCall!, parameter.Name, 0, generator.Step) : null,

                // The next page of a list keeps the filters of the first one.
                _ when paging => previousCall!.Params.GetValueOrDefault(parameter.Name),
                ValueKind.Entity when send && generator.Other => ResolveOther(generator.Entity!),
                ValueKind.Entity when send => used[generator.Entity!] = Resolve(generator.Entity!, advance: false),
                _ when send => generator.Generate(_random, _start),
                _ => null,
            };
            if (value is not null)
            {
                values[parameter.Name] = value;
            }
        }

        return values;
    }

    private string Cursor(ValueGenerator generator, SyntheticCall previousCall) =>
        generator.Entity is { } entity && previousCall.Produced.TryGetValue(entity, out var shown) && shown.Count > 0
            ? shown[^1]
            : generator.Generate(_random, _start);

    // The previous call's value (or the first page's when it sent none) plus one page.
    private static string NextPage(SyntheticCall previousCall, string name, long first, long step) =>
        ((previousCall.Params.TryGetValue(name, out var page) && long.TryParse(page, CultureInfo.InvariantCulture, out var number)
            ? number
            : first) + step).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The id a call uses for an entity: the one being worked on, else one the last list showed, else (nothing known
    /// yet) one the user brought from elsewhere. Never a made-up id once the session has seen some.
    /// </summary>
    private string Resolve(string entity, bool advance)
    {
        var state = State(entity);
        var unused = state.Pool.Where(id => !state.Used.Contains(id)).ToList();
        if (advance && unused.Count > 0)
        {
            state.Current = unused[_random.Next(unused.Count)];
        }
        else if (state.Current is null)
        {
            var choices = unused.Count > 0 ? unused : state.Pool;
            state.Current = choices.Count > 0 ? choices[_random.Next(choices.Count)] : NewId(entity);
        }

        state.Used.Add(state.Current);
        return state.Current;
    }

    /// <summary>
    /// An id of the entity other than the current one, preferably one a list showed; the current stays. A made-up
    /// one joins the pool, so the session can go on to open it (the folder it just moved a file into).
    /// </summary>
    private string ResolveOther(string entity)
    {
        var state = State(entity);
        var candidates = state.Pool.Where(id => id != state.Current).ToList();
        var id = candidates.Count > 0 ? candidates[_random.Next(candidates.Count)] : NewId(entity);
        if (candidates.Count == 0)
        {
            state.Pool.Add(id);
        }

        state.Used.Add(id);
        return id;
    }

    private List<string> Reveal(string entity)
    {
        var state = State(entity);
        var ids = new List<string>();
        var count = _random.Next(_options.ListRevealMin, _options.ListRevealMax + 1);
        for (var i = 0; i < count; i++)
        {
            ids.Add(NewId(entity));
        }

        // The item the goal names shows up in the first list that could show it; the item just worked on often does.
        if (state.Pinned is { } pinned && !state.PinnedShown)
        {
            ids[_random.Next(ids.Count)] = pinned;
            state.PinnedShown = true;
        }
        else if (state.Current is { } current && !ids.Contains(current) && _random.Next(2) == 0)
        {
            ids[_random.Next(ids.Count)] = current;
        }

        state.Pool = ids;
        state.Current = state.Pinned is not null && ids.Contains(state.Pinned) ? state.Pinned : null;
        return ids;
    }

    private string NewId(string entity)
    {
        var state = State(entity);
        var generator = _workflow.Entities[entity].Id;
        var id = generator.Generate(_random, _start);
        for (var attempt = 0; attempt < 20 && !state.Issued.Add(id); attempt++)
        {
            id = generator.Generate(_random, _start);
        }

        return id;
    }

    private EntityState State(string entity)
    {
        if (!_entities.TryGetValue(entity, out var state))
        {
            _entities[entity] = state = new EntityState();
        }

        return state;
    }

    private string RenderGoal(string template) =>
        PromptWriter.Fill(template, name =>
        {
            if (_workflow.Entities.ContainsKey(name))
            {
                // The user names an item they already know; the walk works on it until something replaces it.
                var state = State(name);
                state.Pinned ??= NewId(name);
                state.Current = state.Pinned;
                return state.Pinned;
            }

            return Vocabulary(name);
        }) ?? template;

    private string? Vocabulary(string name) =>
        _workflow.Vocabulary.TryGetValue(name, out var words) && words.Count > 0 ? words[_random.Next(words.Count)] : null;

    private List<string?> Prompts(SyntheticPromptKind kind, string goalText)
    {
        var prompts = new List<string?>(_calls.Count);
        var typedGoal = kind switch
        {
            SyntheticPromptKind.Goal => PromptWriter.Noise(_random, goalText, _options),
            SyntheticPromptKind.Task => PromptWriter.Noise(_random, TaskText(goalText), _options),
            _ => null,
        };
        for (var i = 0; i < _calls.Count; i++)
        {
            prompts.Add(kind switch
            {
                SyntheticPromptKind.Goal or SyntheticPromptKind.Task => typedGoal,
                SyntheticPromptKind.Explicit when i == 0 || _random.NextDouble() < _options.ExplicitStepProbability =>
                    PromptWriter.Noise(_random, PromptWriter.Frame(_random, Phrasing(i)), _options),
                SyntheticPromptKind.Vague when _random.NextDouble() < _options.VagueStepProbability =>
                    PromptWriter.Noise(_random, PromptWriter.Vague(_random), _options),
                _ => null,
            });
        }

        return prompts;
    }

    // Two to four of the session's steps, in order, phrased as the user would brief them; repeats are named once.
    private string TaskText(string goalText)
    {
        var steps = Enumerable.Range(0, _calls.Count)
            .Where(i => i == 0 || _calls[i].Key != _calls[i - 1].Key)
            .ToList();
        var wanted = Math.Min(steps.Count, 2 + _random.Next(3));
        var chosen = steps.OrderBy(_ => _random.Next()).Take(wanted).Order().Select(Phrasing).ToList();
        var text = PromptWriter.Sequence(_random, chosen);
        return goalText.Length > 0 && _random.Next(3) == 0 ? $"{goalText}: {text}" : text;
    }

    private string Phrasing(int index)
    {
        var call = _calls[index];
        var operation = _domain.Catalog.Find(call.Method, call.PathTemplate)!;
        if (operation.Summary is { Length: > 0 } summary && _random.NextDouble() < _options.SummaryPhrasingProbability)
        {
            return PromptWriter.Imperative(summary);
        }

        var filled = _workflow.Operations[call.Key].Phrasings
            .Select(p => PromptWriter.Fill(p, name =>
                _callEntities[index].GetValueOrDefault(name) ?? call.Params.GetValueOrDefault(name) ?? Vocabulary(name)))
            .OfType<string>()
            .ToList();
        if (filled.Count > 0)
        {
            return filled[_random.Next(filled.Count)];
        }

        return operation.Summary is { Length: > 0 } fallback ? PromptWriter.Imperative(fallback) : operation.OperationId ?? call.Key;
    }

    private TimeSpan Gap()
    {
        var seconds = _random.NextDouble() < _options.LongPauseProbability
            ? _options.MaxGapSeconds + (_random.NextDouble() * (_options.LongPauseMaxSeconds - _options.MaxGapSeconds))
            : Math.Exp(Math.Log(_options.MinGapSeconds)
                       + (_random.NextDouble() * (Math.Log(_options.MaxGapSeconds) - Math.Log(_options.MinGapSeconds))));
        return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
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

        /// <summary>The id a goal prompt names ("get PR 42 merged").</summary>
        public string? Pinned { get; set; }

        public bool PinnedShown { get; set; }
    }
}
