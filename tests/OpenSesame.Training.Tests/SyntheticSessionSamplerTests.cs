using System.Text.RegularExpressions;
using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class SyntheticSessionSamplerTests
{
    // These tests specify the walk itself; ClientBehavioursTests specify what clients add around it.
    private static readonly SyntheticSamplerOptions Bare = new() { Behaviours = ClientBehaviourOptions.None };

    private static readonly Lazy<IReadOnlyList<SyntheticSession>> Standard =
        new(() => new SyntheticSessionSampler(Bare).Sample(2000, SyntheticDomains.All, seed: 42));

    // Without goals the walk is the bare chain, so its statistics can be compared with the workflow's weights.
    private static readonly SyntheticSamplerOptions NoGoals = new()
    {
        GoalPromptShare = 0,
        LatentGoalProbability = 0,
        Behaviours = ClientBehaviourOptions.None,
    };

    [Fact]
    public void Sampling_is_deterministic_for_a_seed_and_differs_for_another_seed()
    {
        var sampler = new SyntheticSessionSampler();

        var first = Fingerprint(sampler.Sample(200, SyntheticDomains.All, seed: 7));
        var again = Fingerprint(new SyntheticSessionSampler().Sample(200, SyntheticDomains.All, seed: 7));
        var other = Fingerprint(sampler.Sample(200, SyntheticDomains.All, seed: 8));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Every_session_has_3_to_15_calls_and_one_prompt_slot_per_call()
    {
        Assert.All(Standard.Value, s =>
        {
            Assert.InRange(s.Calls.Count, 3, 15);
            Assert.Equal(s.Calls.Count, s.Prompts.Count);
        });
        Assert.Contains(Standard.Value, s => s.Calls.Count == 3);
        Assert.Contains(Standard.Value, s => s.Calls.Count == 15);
    }

    [Fact]
    public void Sessions_are_spread_evenly_across_domains()
    {
        var counts = Standard.Value.GroupBy(s => s.Domain).Select(g => g.Count()).ToList();

        Assert.Equal(SyntheticDomains.All.Count, counts.Count);
        Assert.InRange(counts.Max() - counts.Min(), 0, 1);
    }

    [Fact]
    public void Every_concrete_path_matches_its_template_exactly_through_the_catalog_matcher()
    {
        Assert.All(Standard.Value, s =>
        {
            var catalog = SyntheticDomains.Get(s.Domain).Catalog;
            foreach (var call in s.Calls)
            {
                Assert.DoesNotContain("{", call.Path, StringComparison.Ordinal);
                var match = catalog.Matcher.Match(call.Method, call.Path);
                Assert.True(match.Kind == MatchKind.Exact, $"{call.Method} {call.Path} matched {match.Kind}");
                Assert.Equal(call.Key, match.Operation!.Key);
            }
        });
    }

    [Fact]
    public void Path_ids_come_from_earlier_calls_whenever_their_entity_was_seen_earlier()
    {
        var checkedSlots = 0;
        var flowed = 0;
        foreach (var session in Standard.Value)
        {
            var domain = SyntheticDomains.Get(session.Domain);
            var workflow = domain.Workflow;
            var seen = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var call in session.Calls)
            {
                var match = domain.Catalog.Matcher.Match(call.Method, call.Path);
                var values = new List<(string Entity, string Id)>();
                foreach (var slot in match.Operation!.Path.Slots)
                {
                    var entity = workflow.EntityOf(slot)!;
                    var id = match.PathValues[slot.Name];
                    checkedSlots++;
                    if (seen.TryGetValue(entity, out var earlier) && earlier.Count > 0)
                    {
                        Assert.True(earlier.Contains(id), $"{session.Domain}: {call.Method} {call.Path} uses {entity} {id}, "
                                                          + $"but earlier calls only saw {string.Join(", ", earlier)}");
                        flowed++;
                    }

                    values.Add((entity, id));
                }

                foreach (var (name, value) in call.Params)
                {
                    if (workflow.GeneratorFor(call.Key, name) is { Kind: ValueKind.Entity, Entity: { } entity })
                    {
                        values.Add((entity, value));
                    }
                }

                values.AddRange(call.Produced.SelectMany(p => p.Value.Select(id => (p.Key, id))));
                foreach (var (entity, id) in values)
                {
                    (seen.TryGetValue(entity, out var set) ? set : seen[entity] = new HashSet<string>(StringComparer.Ordinal)).Add(id);
                }
            }
        }

        // Most ids should flow rather than be brought in from outside the session.
        Assert.True(flowed > checkedSlots / 2, $"{flowed} of {checkedSlots} path ids came from earlier calls");
    }

    [Fact]
    public void Prompt_kind_proportions_over_2000_sessions_are_within_three_points_of_the_configured_shares()
    {
        var options = new SyntheticSamplerOptions();
        var sessions = Standard.Value;
        var output = TestContext.Current.TestOutputHelper;
        foreach (var kind in Enum.GetValues<SyntheticPromptKind>())
        {
            var share = sessions.Count(s => s.PromptKind == kind) / (double)sessions.Count;
            output?.WriteLine($"{kind,-9} configured {options.ShareOf(kind):P1}  measured {share:P1}");
            Assert.InRange(share, options.ShareOf(kind) - 0.03, options.ShareOf(kind) + 0.03);
        }
    }

    [Fact]
    public void Prompts_read_as_their_kind_says()
    {
        foreach (var session in Standard.Value)
        {
            switch (session.PromptKind)
            {
                case SyntheticPromptKind.None:
                    Assert.All(session.Prompts, Assert.Null);
                    break;
                case SyntheticPromptKind.Goal:
                    Assert.NotEmpty(session.Goal);
                    Assert.Single(session.Prompts.Distinct());
                    Assert.NotNull(session.Prompts[0]);
                    break;
                case SyntheticPromptKind.Explicit:
                    Assert.NotNull(session.Prompts[0]);
                    Assert.True(session.Prompts.Distinct().Count() > 1 || session.Calls.Select(c => c.Key).Distinct().Count() == 1);
                    break;
                default:
                    Assert.Contains(session.Prompts, p => p is not null || session.Prompts.All(q => q is null));
                    break;
            }
        }

        var explicitPrompts = Standard.Value.Where(s => s.PromptKind == SyntheticPromptKind.Explicit)
            .SelectMany(s => s.Prompts.OfType<string>()).ToList();
        Assert.True(explicitPrompts.Distinct().Count() > explicitPrompts.Count / 2, "explicit phrasings should vary");
        Assert.Contains(explicitPrompts, p => p.EndsWith('?'));
        Assert.Contains(explicitPrompts, p => char.IsUpper(p[0]));
    }

    [Fact]
    public void Explicit_prompts_often_name_the_id_the_call_uses()
    {
        var named = 0;
        var withIds = 0;
        foreach (var session in Standard.Value.Where(s => s.PromptKind == SyntheticPromptKind.Explicit))
        {
            var catalog = SyntheticDomains.Get(session.Domain).Catalog;
            for (var i = 0; i < session.Calls.Count; i++)
            {
                var values = catalog.Matcher.Match(session.Calls[i].Method, session.Calls[i].Path).PathValues.Values.ToList();
                if (session.Prompts[i] is { } prompt && values.Count > 0)
                {
                    withIds++;
                    named += values.Any(v => prompt.Contains(v, StringComparison.Ordinal)) ? 1 : 0;
                }
            }
        }

        Assert.InRange(named / (double)withIds, 0.2, 0.8);
    }

    [Fact]
    public void Goal_steered_sessions_usually_reach_the_goal_end_state()
    {
        var reached = 0;
        var steered = 0;
        foreach (var session in Standard.Value.Where(s => s.PromptKind == SyntheticPromptKind.Goal))
        {
            var goal = GoalOf(session);
            steered++;
            reached += session.Calls.Any(c => c.Key == goal.Operations[^1]) ? 1 : 0;
        }

        Assert.True(reached > steered * 0.85, $"{reached} of {steered} goal sessions reached their end state");
    }

    [Fact]
    public void Second_order_overrides_change_next_step_frequencies()
    {
        var sessions = new SyntheticSessionSampler(NoGoals).Sample(6000, SyntheticDomains.All, seed: 3);
        var inContext = (Hits: 0, Total: 0);
        var outOfContext = (Hits: 0, Total: 0);
        foreach (var session in sessions)
        {
            var workflow = SyntheticDomains.Get(session.Domain).Workflow;
            for (var i = 2; i < session.Calls.Count; i++)
            {
                var (previous, current, next) = (session.Calls[i - 2].Key, session.Calls[i - 1].Key, session.Calls[i].Key);
                var step = workflow.Operations[current];
                foreach (var (context, overrides) in step.After)
                {
                    // Targets the override favours over the first-order chain.
                    var favoured = overrides.Where(o => o.Value > step.Next.GetValueOrDefault(o.Key)).Select(o => o.Key).ToHashSet();
                    var hit = favoured.Contains(next) ? 1 : 0;
                    if (previous == context)
                    {
                        inContext = (inContext.Hits + hit, inContext.Total + 1);
                    }
                    else
                    {
                        outOfContext = (outOfContext.Hits + hit, outOfContext.Total + 1);
                    }
                }
            }
        }

        var inRate = inContext.Hits / (double)inContext.Total;
        var outRate = outOfContext.Hits / (double)outOfContext.Total;
        TestContext.Current.TestOutputHelper?.WriteLine($"favoured next step: {inRate:P1} of {inContext.Total} in context, {outRate:P1} of {outOfContext.Total} outside");
        Assert.True(inContext.Total >= 500, $"only {inContext.Total} transitions in an override context");
        Assert.True(inRate > outRate + 0.2, $"{inRate:P1} in context vs {outRate:P1} outside");
    }

    [Fact]
    public void The_next_step_after_a_pair_follows_the_merged_weights()
    {
        var sessions = new SyntheticSessionSampler(NoGoals).Sample(3000, [SyntheticDomains.Get("billing")], seed: 5);
        const string Previous = "POST /v1/invoices";
        const string Current = "GET /v1/invoices/{invoice}";
        const string Target = "POST /v1/invoices/{invoice}/finalize";
        var workflow = SyntheticDomains.Get("billing").Workflow;
        var weights = workflow.NextWeights(Previous, Current);
        var expected = weights[Target] / weights.Values.Sum();
        var nexts = sessions.SelectMany(s => Enumerable.Range(2, Math.Max(0, s.Calls.Count - 2))
                .Where(i => s.Calls[i - 2].Key == Previous && s.Calls[i - 1].Key == Current)
                .Select(i => s.Calls[i].Key))
            .ToList();

        Assert.True(nexts.Count >= 100, $"{nexts.Count} samples");
        var observed = nexts.Count(k => k == Target) / (double)nexts.Count;

        // Detours (4%) and the minimum length shift it a little; 4 standard errors otherwise.
        Assert.InRange(observed, expected - 0.1, expected + 0.1);
    }

    [Fact]
    public void Repeats_of_the_same_operation_in_a_row_occur_and_page_lists_or_move_to_other_items()
    {
        var repeats = Standard.Value.SelectMany(s => s.Calls.Zip(s.Calls.Skip(1)).Where(p => p.First.Key == p.Second.Key)).ToList();

        Assert.True(repeats.Count > Standard.Value.Count / 10, $"{repeats.Count} repeats in {Standard.Value.Count} sessions");
        Assert.Contains(repeats, p => p.Second.Params.Keys.Any(k => k is "starting_after" or "cursor" or "page" or "pageToken" or "offset"));
        Assert.Contains(repeats, p => p.First.Path != p.Second.Path);
    }

    [Fact]
    public void Timestamps_rise_by_seconds_to_minutes()
    {
        Assert.All(Standard.Value, s =>
        {
            foreach (var (earlier, later) in s.Calls.Zip(s.Calls.Skip(1)))
            {
                Assert.InRange(later.Timestamp - earlier.Timestamp, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(31));
            }
        });
    }

    private static GoalDefinition GoalOf(SyntheticSession session)
    {
        var workflow = SyntheticDomains.Get(session.Domain).Workflow;

        // Placeholders became ids or vocabulary words; the rest of the text is literal.
        return workflow.Goals.First(g => g.Texts.Any(t =>
        {
            var pattern = "^" + string.Join("(.+)", Regex.Split(t, @"\{[A-Za-z0-9_]+\}").Select(Regex.Escape)) + "$";
            return Regex.IsMatch(session.Goal, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }));
    }

    private static string Fingerprint(IEnumerable<SyntheticSession> sessions) =>
        string.Join('\n', sessions.Select(s =>
            $"{s.Domain}|{s.Goal}|{s.PromptKind}|{string.Join(';', s.Prompts)}|"
            + string.Join(';', s.Calls.Select(c => $"{c.Method} {c.Path} {c.Timestamp:O} {string.Join(',', c.Params.Select(p => $"{p.Key}={p.Value}"))}"))));
}
