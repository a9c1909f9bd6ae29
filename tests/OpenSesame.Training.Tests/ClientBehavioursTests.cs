using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class ClientBehavioursTests
{
    private static readonly SyntheticSamplerOptions Bare = new() { Behaviours = ClientBehaviourOptions.None };

    private static readonly Lazy<IReadOnlyList<SyntheticSession>> Walks =
        new(() => new SyntheticSessionSampler(Bare).Sample(600, SyntheticDomains.All, seed: 17));

    private static (List<SyntheticSession> Sessions, ClientBehaviourTally Tally) Applied(ClientBehaviourOptions options)
    {
        var behaviours = new ClientBehaviours(options);
        var tally = new ClientBehaviourTally();
        var sessions = Walks.Value.Select((s, i) => behaviours.Apply(s, SyntheticDomains.Get(s.Domain).Catalog, i, tally: tally)).ToList();
        return (sessions, tally);
    }

    [Fact]
    public void Each_behaviour_happens_at_about_its_rate_over_600_sessions()
    {
        var options = new ClientBehaviourOptions { InterleaveShare = 0 };

        var (_, tally) = Applied(options);

        Assert.InRange(tally.MidWorkflow / (double)tally.Sessions, options.MidWorkflowShare - 0.06, options.MidWorkflowShare + 0.06);
        Assert.InRange(tally.Retries / (double)tally.Calls, options.RetryProbability - 0.02, options.RetryProbability + 0.02);
        Assert.True(tally.PageableLists > 100, $"only {tally.PageableLists} lists could page");
        Assert.InRange(tally.PagedLists / (double)tally.PageableLists, options.PaginationProbability - 0.05, options.PaginationProbability + 0.05);
        Assert.True(tally.FannableLists > 100, $"only {tally.FannableLists} lists had readable items");
        Assert.InRange(tally.FannedLists / (double)tally.FannableLists, options.FanOutProbability - 0.06, options.FanOutProbability + 0.06);
        Assert.True(tally.PollableWrites > 100, $"only {tally.PollableWrites} writes had a readable resource");
        Assert.InRange(tally.PolledWrites / (double)tally.PollableWrites, options.PollingProbability - 0.05, options.PollingProbability + 0.05);
    }

    [Fact]
    public void Retries_come_from_the_share_of_clients_that_repeat_at_all_at_the_stated_rate_on_average()
    {
        var options = new ClientBehaviourOptions
        {
            RetryProbability = 0.2,
            PaginationProbability = 0,
            PollingProbability = 0,
            FanOutProbability = 0,
            InterleaveShare = 0,
            MidWorkflowShare = 0,
            RepeatingClientShare = 0.4,
        };
        var behaviours = new ClientBehaviours(options);
        var retried = 0;
        var tally = new ClientBehaviourTally();
        for (var i = 0; i < Walks.Value.Count; i++)
        {
            var before = tally.Retries;
            behaviours.Apply(Walks.Value[i], SyntheticDomains.Get(Walks.Value[i].Domain).Catalog, i, tally: tally);
            retried += tally.Retries > before ? 1 : 0;
        }

        // Spread over every call, a 0.2 chance would touch about three sessions in four; clustered, fewer than half.
        Assert.InRange(retried / (double)Walks.Value.Count, 0.30, 0.45);
        Assert.InRange(tally.Retries / (double)tally.Calls, 0.16, 0.24);
    }

    [Fact]
    public void A_session_that_lost_the_start_of_its_walk_says_it_begins_mid_workflow_and_no_other_does()
    {
        var (sessions, tally) = Applied(new ClientBehaviourOptions { InterleaveShare = 0, RetryProbability = 0, PaginationProbability = 0, PollingProbability = 0, FanOutProbability = 0 });

        Assert.True(tally.MidWorkflow > 50, $"{tally.MidWorkflow} sessions began mid-workflow");
        Assert.Equal(tally.MidWorkflow, sessions.Count(s => s.BeginsMidWorkflow));
        Assert.All(sessions.Select((s, i) => (Session: s, Walk: Walks.Value[i])), p =>
            Assert.Equal(p.Session.Calls.Count < p.Walk.Calls.Count, p.Session.BeginsMidWorkflow));
    }

    [Fact]
    public void With_the_default_rates_about_a_fifth_of_calls_repeat_the_previous_operation_as_in_recorded_traffic()
    {
        var sessions = new SyntheticSessionSampler().Sample(600, SyntheticDomains.All, seed: 17);

        var pairs = sessions.SelectMany(s => s.Calls.Zip(s.Calls.Skip(1))).ToList();
        var template = pairs.Count(p => p.First.Key == p.Second.Key) / (double)pairs.Count;
        var exact = pairs.Count(p => p.First.Path == p.Second.Path && p.First.Params.Count == p.Second.Params.Count
                                     && !p.First.Params.Except(p.Second.Params).Any()) / (double)pairs.Count;

        // Recorded client traffic (../shared/traffic/stats.md): 20.6 % of pairs repeat the template, 9.0 % exactly.
        Assert.InRange(template, 0.15, 0.30);
        Assert.InRange(exact, 0.06, 0.13);
    }

    [Fact]
    public void Further_pages_send_the_operations_own_paging_parameter_with_the_previous_filters()
    {
        var (sessions, tally) = Applied(new ClientBehaviourOptions { PaginationProbability = 1, InterleaveShare = 0, MidWorkflowShare = 0, RetryProbability = 0 });

        Assert.True(tally.Pages > 50, $"{tally.Pages} pages");
        var checkedPages = 0;
        for (var s = 0; s < sessions.Count; s++)
        {
            var session = sessions[s];
            var index = ResourceIndex.Of(SyntheticDomains.Get(session.Domain).Catalog);
            var walked = Walks.Value[s].Calls.Select(c => c.Params).ToHashSet(ReferenceEqualityComparer.Instance);
            foreach (var (first, second) in session.Calls.Zip(session.Calls.Skip(1))
                         .Where(p => p.First.Key == p.Second.Key && p.First.Path == p.Second.Path && !walked.Contains(p.Second.Params)))
            {
                var operation = index.Catalog.Find(second.Method, second.PathTemplate)!;
                if (index.PagingOf(operation) is not { } paging || !second.Params.ContainsKey(paging.Name))
                {
                    continue;
                }

                Assert.Contains(operation.Parameters, p => p.Name == paging.Name);
                Assert.NotEqual(first.Params.GetValueOrDefault(paging.Name), second.Params[paging.Name]);
                Assert.All(first.Params.Where(p => p.Key != paging.Name), p => Assert.Equal(p.Value, second.Params.GetValueOrDefault(p.Key, p.Value)));
                checkedPages++;
            }
        }

        Assert.True(checkedPages > 50, $"{checkedPages} pages checked");
    }

    [Fact]
    public void A_fan_out_reads_items_the_list_just_showed_on_paths_of_the_spec()
    {
        var (sessions, tally) = Applied(new ClientBehaviourOptions { FanOutProbability = 1, InterleaveShare = 0, MidWorkflowShare = 0 });

        Assert.True(tally.FanOutReads > 100, $"{tally.FanOutReads} fan-out reads");
        foreach (var session in sessions)
        {
            var catalog = SyntheticDomains.Get(session.Domain).Catalog;
            var shown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var call in session.Calls)
            {
                var match = catalog.Matcher.Match(call.Method, call.Path);
                Assert.True(match.Kind == MatchKind.Exact && match.Operation!.Key == call.Key, $"{call.Method} {call.Path} is not {call.Key}");
                shown.UnionWith(call.Produced.Values.SelectMany(ids => ids));
            }
        }

        // Every run of reads of one template right after a list names ids that list produced.
        var fanned = 0;
        foreach (var session in sessions)
        {
            for (var i = 1; i + 1 < session.Calls.Count; i++)
            {
                var list = session.Calls[i - 1];
                if (list.Produced.Count == 0 || session.Calls[i].Method != "GET" || session.Calls[i].Key != session.Calls[i + 1].Key
                    || session.Calls[i].Path == session.Calls[i + 1].Path || list.Method != "GET")
                {
                    continue;
                }

                var ids = list.Produced.Values.SelectMany(v => v).Select(Uri.EscapeDataString).ToHashSet(StringComparer.Ordinal);
                if (ids.Any(id => session.Calls[i].Path.EndsWith("/" + id, StringComparison.Ordinal)))
                {
                    fanned++;
                    Assert.Contains(ids, id => session.Calls[i + 1].Path.EndsWith("/" + id, StringComparison.Ordinal));
                }
            }
        }

        Assert.True(fanned > 50, $"{fanned} fan-outs found");
    }

    [Fact]
    public void Calls_the_client_adds_carry_the_prompt_of_the_step_they_come_from_and_timestamps_keep_rising()
    {
        var (sessions, _) = Applied(new ClientBehaviourOptions { InterleaveShare = 0, MidWorkflowShare = 0 });

        for (var s = 0; s < sessions.Count; s++)
        {
            var walk = Walks.Value[s];
            var applied = sessions[s];
            Assert.Equal(applied.Calls.Count, applied.Prompts.Count);
            Assert.Equal(walk.PromptKind, applied.PromptKind);
            Assert.All(applied.Prompts, p => Assert.Contains(p, walk.Prompts));
            if (walk.PromptKind == SyntheticPromptKind.None)
            {
                Assert.All(applied.Prompts, Assert.Null);
            }

            // The walk's own calls are all still there, in order, each with its own prompt.
            var next = 0;
            for (var i = 0; i < applied.Calls.Count && next < walk.Calls.Count; i++)
            {
                if (applied.Calls[i].Path == walk.Calls[next].Path && applied.Calls[i].Key == walk.Calls[next].Key
                    && applied.Prompts[i] == walk.Prompts[next])
                {
                    next++;
                }
            }

            Assert.True(next == walk.Calls.Count || applied.Calls.Count == new ClientBehaviourOptions().MaxCalls,
                $"{walk.Calls.Count - next} of the walk's calls are missing");
            Assert.All(applied.Calls.Zip(applied.Calls.Skip(1)), p => Assert.True(p.Second.Timestamp > p.First.Timestamp));
        }
    }

    [Fact]
    public void An_interleaved_session_holds_both_walks_each_in_its_own_order()
    {
        var behaviours = new ClientBehaviours(ClientBehaviourOptions.None);
        var first = Walks.Value[0];
        var second = Walks.Value.Skip(1).First(s => s.Domain == first.Domain);

        var merged = behaviours.Apply(first, SyntheticDomains.Get(first.Domain).Catalog, seed: 3, partner: second);

        Assert.Equal(first.Calls.Count + second.Calls.Count, merged.Calls.Count);
        Assert.Equal(first.Calls[0].Path, merged.Calls[0].Path);
        Assert.Equal(first.Calls.Select(c => c.Path), merged.Calls.Where(c => first.Calls.Any(f => ReferenceEquals(f.Params, c.Params))).Select(c => c.Path));
        Assert.Equal(second.Calls.Select(c => c.Path), merged.Calls.Where(c => second.Calls.Any(f => ReferenceEquals(f.Params, c.Params))).Select(c => c.Path));
    }

    [Fact]
    public void The_same_seed_gives_the_same_session_and_behaviours_off_give_the_walk_back()
    {
        var walk = Walks.Value[5];
        var catalog = SyntheticDomains.Get(walk.Domain).Catalog;
        var behaviours = new ClientBehaviours(new ClientBehaviourOptions { RetryProbability = 0.5, MidWorkflowShare = 0.5 });

        var once = behaviours.Apply(walk, catalog, seed: 9);
        var again = behaviours.Apply(walk, catalog, seed: 9);
        var off = new ClientBehaviours(ClientBehaviourOptions.None).Apply(walk, catalog, seed: 9);

        Assert.Equal(once.Calls.Select(c => (c.Path, c.Timestamp)), again.Calls.Select(c => (c.Path, c.Timestamp)));
        Assert.Equal(once.Prompts, again.Prompts);
        Assert.Equal(walk.Calls, off.Calls);
    }
}
