using System.Globalization;
using System.Text;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>How often each behaviour happened over the sessions <see cref="ClientBehaviours.Apply"/> saw.</summary>
public sealed class ClientBehaviourTally
{
    public int Sessions { get; internal set; }
    public int CallsIn { get; internal set; }
    public int CallsOut { get; internal set; }
    public int Retries { get; internal set; }
    public int Pages { get; internal set; }
    public int Polls { get; internal set; }
    public int FanOutReads { get; internal set; }
    public int Interleaved { get; internal set; }
    public int MidWorkflow { get; internal set; }

    /// <summary>Opportunities: calls that could have been retried, lists that page, writes with a readable resource,
    /// lists whose items have a read.</summary>
    public int Calls { get; internal set; }

    public int PagedLists { get; internal set; }
    public int PageableLists { get; internal set; }
    public int PolledWrites { get; internal set; }
    public int PollableWrites { get; internal set; }
    public int FannedLists { get; internal set; }
    public int FannableLists { get; internal set; }
}

/// <summary>
/// What real clients do around the calls a user meant, added to a walk: retries, further pages, polling after a write,
/// reading each item of a list, a second task interleaved, and starting mid-workflow. Deterministic for a seed. Calls
/// the client makes by itself carry the prompt of the step they come from: the user typed nothing new, and the text
/// in the box is still the one that asked for that step (a session without prompts stays without).
/// </summary>
public sealed class ClientBehaviours(ClientBehaviourOptions? options = null)
{
    private static readonly HashSet<string> ReadMethods = new(StringComparer.Ordinal) { "GET", "HEAD" };

    public ClientBehaviourOptions Options { get; } = (options ?? new ClientBehaviourOptions()).Validated();

    /// <summary>
    /// The session with client behaviour added. <paramref name="partner"/>, a second session of the same domain, is
    /// interleaved with it when given (the caller draws whether, at <see cref="ClientBehaviourOptions.InterleaveShare"/>).
    /// </summary>
    /// <param name="catalog">The spec the session's calls belong to.</param>
    public SyntheticSession Apply(SyntheticSession session, EndpointCatalog catalog, int seed, SyntheticSession? partner = null,
        ClientBehaviourTally? tally = null)
    {
        // A throwaway tally when the caller wants none, so the counting below needs no null checks.
        tally ??= new ClientBehaviourTally();
        var random = new Random(seed);
        var index = ResourceIndex.Of(catalog);
        var steps = Steps(session);
        tally.Sessions++;
        tally.CallsIn += steps.Count;

        var midWorkflow = steps.Count > Options.MinKeptCalls && random.NextDouble() < Options.MidWorkflowShare;
        // Clients that retry, page or poll do it throughout; most never do. The rates hold on average over sessions.
        // No draw at a share of 1, so such sessions are the ones written before the share existed.
        var scale = Options.RepeatingClientShare >= 1 ? 1
            : random.NextDouble() < Options.RepeatingClientShare ? 1 / Options.RepeatingClientShare : 0;
        if (midWorkflow)
        {
            var drop = 1 + random.Next(Math.Max(1, Math.Min(steps.Count - Options.MinKeptCalls, steps.Count / 2)));
            steps.RemoveRange(0, drop);
            tally.MidWorkflow++;
        }

        if (partner is { Calls.Count: > 0 })
        {
            steps = Interleave(random, steps, Steps(partner), session.PromptKind == SyntheticPromptKind.None);
            tally.Interleaved++;
        }

        var output = new List<Step>(steps.Count * 2);
        for (var i = 0; i < steps.Count; i++)
        {
            Expand(random, index, steps[i], i + 1 < steps.Count ? steps[i + 1].Call : null, output, tally, scale);
        }

        if (output.Count > Math.Max(Options.MaxCalls, steps.Count))
        {
            output.RemoveRange(Math.Max(Options.MaxCalls, steps.Count), output.Count - Math.Max(Options.MaxCalls, steps.Count));
        }

        tally.CallsOut += output.Count;

        // Timestamps are rebuilt from the gaps, so inserted calls push the later ones back instead of crossing them.
        var calls = new List<SyntheticCall>(output.Count);
        var clock = session.Calls.Count > 0 ? session.Calls[0].Timestamp : DateTimeOffset.UnixEpoch;
        for (var i = 0; i < output.Count; i++)
        {
            clock = i == 0 ? clock : clock + output[i].Gap;
            calls.Add(output[i].Call with { Timestamp = clock });
        }

        return session with { Calls = calls, Prompts = [.. output.Select(s => s.Prompt)], BeginsMidWorkflow = session.BeginsMidWorkflow || midWorkflow };
    }

    private void Expand(Random random, ResourceIndex index, Step step, SyntheticCall? next, List<Step> output, ClientBehaviourTally tally, double scale)
    {
        var call = step.Call;
        var operation = index.Catalog.Find(call.Method, call.PathTemplate);
        tally.Calls++;

        if (random.NextDouble() < Scaled(Options.RetryProbability, scale))
        {
            // The first attempt failed (a 429, a 503) and handed back nothing; a read may simply be read again.
            var first = ReadMethods.Contains(call.Method) ? call : call with { Produced = new Dictionary<string, IReadOnlyList<string>>() };
            output.Add(step with { Call = first });
            step = step with { Gap = Seconds(random, 1, 10) };
            tally.Retries++;
        }

        output.Add(step);
        if (operation is null)
        {
            return;
        }

        // A walk that goes on to the same list pages (or re-reads) by itself.
        if (index.IsListing(operation) && next?.Key != call.Key)
        {
            Page(random, index, operation, step, output, tally, scale);
            FanOut(random, index, operation, step, output, tally, scale);
        }
        else if (!ReadMethods.Contains(operation.Method) && operation.Kind is OperationKind.Create or OperationKind.Update or OperationKind.Action)
        {
            Poll(random, index, operation, step, output, tally, scale);
        }
    }

    private void Page(Random random, ResourceIndex index, ApiOperation operation, Step step, List<Step> output, ClientBehaviourTally tally, double scale)
    {
        if (index.PagingOf(operation) is not { } paging)
        {
            return;
        }

        tally.PageableLists++;

        if (random.NextDouble() >= Scaled(Options.PaginationProbability, scale))
        {
            return;
        }

        tally.PagedLists++;

        var pageSize = ResourceIndex.PageSizeOf(operation);
        var previous = step.Call;
        var pages = 1 + random.Next(Options.MaxExtraPages);
        for (var i = 0; i < pages; i++)
        {
            var parameters = new Dictionary<string, string>(previous.Params, StringComparer.Ordinal);
            if (pageSize is not null && !parameters.ContainsKey(pageSize) && random.Next(3) == 0)
            {
                parameters[pageSize] = random.Next(2) == 0 ? "100" : "50";
            }

            parameters[paging.Name] = NextPage(random, paging, previous, pageSize is null ? null : parameters.GetValueOrDefault(pageSize));

            // A further page shows further items of the same kind.
            var produced = previous.Produced.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. p.Value.Select(id => LookAlike(random, id))],
                StringComparer.Ordinal);
            var next = previous with { Params = parameters, Produced = produced };
            output.Add(step with { Call = next, Gap = Seconds(random, 1, 6) });
            previous = next;
            tally.Pages++;
        }
    }

    private static string NextPage(Random random, PagingParameter paging, SyntheticCall previous, string? pageSize)
    {
        var sent = previous.Params.GetValueOrDefault(paging.Name);
        switch (paging.Kind)
        {
            case PagingKind.Number:
                return ((long.TryParse(sent, CultureInfo.InvariantCulture, out var page) ? page : 1) + 1).ToString(CultureInfo.InvariantCulture);
            case PagingKind.Offset:
                var size = long.TryParse(pageSize, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 20;
                return ((long.TryParse(sent, CultureInfo.InvariantCulture, out var offset) ? offset : 0) + size).ToString(CultureInfo.InvariantCulture);
            case PagingKind.LastId when previous.Produced.Values.FirstOrDefault(ids => ids.Count > 0) is { } ids:
                return ids[^1];
            default:
                return Token(random);
        }
    }

    private void FanOut(Random random, ResourceIndex index, ApiOperation operation, Step step, List<Step> output, ClientBehaviourTally tally, double scale)
    {
        if (index.ItemReadOf(operation) is not { } read || IdsFor(step.Call, read) is not { Count: > 0 } ids)
        {
            return;
        }

        tally.FannableLists++;

        if (random.NextDouble() >= Scaled(Options.FanOutProbability, scale))
        {
            return;
        }

        tally.FannedLists++;

        // Clients walk a list in its order; which ones they open depends on what they look for.
        var wanted = Math.Min(ids.Count, random.Next(Options.FanOutMin, Options.FanOutMax + 1));
        var chosen = Enumerable.Range(0, ids.Count).OrderBy(_ => random.Next()).Take(wanted).Order().Select(i => ids[i]).ToList();
        var prefix = PathShape.SplitPath(step.Call.Path);
        foreach (var id in chosen)
        {
            var path = ConcretePath(read.PathTemplate, prefix, prefix.Count, id);
            var call = new SyntheticCall(read.Method, read.PathTemplate, path, new Dictionary<string, string>(), step.Call.Timestamp);
            output.Add(step with { Call = call, Gap = Seconds(random, 1, 4) });
            tally.FanOutReads++;
        }
    }

    private void Poll(Random random, ResourceIndex index, ApiOperation operation, Step step, List<Step> output, ClientBehaviourTally tally, double scale)
    {
        string? path = null;
        ApiOperation? read = null;
        if (operation.Kind == OperationKind.Create && index.ItemReadOf(operation) is { } item && IdsFor(step.Call, item) is [var created, ..])
        {
            var prefix = PathShape.SplitPath(step.Call.Path);
            (read, path) = (item, ConcretePath(item.PathTemplate, prefix, prefix.Count, created));
        }
        else if (index.ResourceReadOf(operation) is { } owner)
        {
            var segments = PathShape.SplitPath(step.Call.Path);
            if (segments.Count >= owner.Segments)
            {
                (read, path) = (owner.Read, "/" + string.Join('/', segments.Take(owner.Segments)));
            }
        }

        if (read is null || path is null)
        {
            return;
        }

        tally.PollableWrites++;

        if (random.NextDouble() >= Scaled(Options.PollingProbability, scale))
        {
            return;
        }

        tally.PolledWrites++;

        var poll = new SyntheticCall(read.Method, read.PathTemplate, path, new Dictionary<string, string>(), step.Call.Timestamp);
        for (var i = 0; i < 3; i++)
        {
            output.Add(step with { Call = poll, Gap = Seconds(random, 1, i == 0 ? 5 : 20) });
            tally.Polls++;

            if (random.NextDouble() >= Options.PollRepeatProbability)
            {
                break;
            }
        }
    }

    /// <summary>The ids a call produced of the entity the read's last path slot carries.</summary>
    private static IReadOnlyList<string>? IdsFor(SyntheticCall call, ApiOperation read)
    {
        if (call.Produced.Count == 0 || read.Path.Slots.Count == 0)
        {
            return null;
        }

        var entity = read.Path.Slots[^1].Entity;
        foreach (var (name, ids) in call.Produced.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name == entity || PathShape.EntityOf(name, null) == entity || DataFlowGraph.SameEntity(name, entity))
            {
                return ids;
            }
        }

        // A list of one kind of thing hands back that thing, however the spec names its id.
        return call.Produced.Count == 1 ? call.Produced.Values.First() : null;
    }

    /// <summary>The target's template filled from the concrete path's first segments, its last placeholder with <paramref name="id"/>.</summary>
    internal static string ConcretePath(string template, IReadOnlyList<string> concrete, int shared, string id)
    {
        var segments = PathShape.SplitPath(template);
        var text = new StringBuilder();
        for (var i = 0; i < segments.Count; i++)
        {
            text.Append('/');
            if (i < shared && i < concrete.Count)
            {
                text.Append(concrete[i]);
                continue;
            }

            var segment = segments[i];
            foreach (var name in PathShape.ParameterNames(segment).ToList())
            {
                segment = segment.Replace("{" + name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal)
                    .Replace("{+" + name + "}", Uri.EscapeDataString(id), StringComparison.Ordinal);
            }

            text.Append(segment);
        }

        return text.ToString();
    }

    private static List<Step> Interleave(Random random, List<Step> first, List<Step> second, bool withoutPrompts)
    {
        // The second task starts a while after the first one, then the two alternate at random, each in its own order.
        second[0] = second[0] with { Gap = Seconds(random, 20, 300) };
        if (withoutPrompts)
        {
            second = [.. second.Select(s => s with { Prompt = null })];
        }

        var merged = new List<Step>(first.Count + second.Count) { first[0] };
        int a = 1, b = 0;
        while (a < first.Count || b < second.Count)
        {
            var takeFirst = b >= second.Count || (a < first.Count && random.Next(first.Count - a + second.Count - b) < first.Count - a);
            merged.Add(takeFirst ? first[a++] : second[b++]);
        }

        return merged;
    }

    private static List<Step> Steps(SyntheticSession session) =>
    [
        .. session.Calls.Select((call, i) => new Step(call, session.Prompts[i],
            i == 0 ? TimeSpan.Zero : call.Timestamp - session.Calls[i - 1].Timestamp)),
    ];

    private static double Scaled(double rate, double scale) => Math.Min(1, rate * scale);

    private static TimeSpan Seconds(Random random, double min, double max) =>
        TimeSpan.FromSeconds(Math.Round(min + (random.NextDouble() * (max - min)), 3));

    private static string Token(Random random)
    {
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return string.Create(24, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }

    /// <summary>An id of the same shape: prefix kept ("in_", "PROJ-"), digits, letters and hex redrawn in kind.</summary>
    private static string LookAlike(Random random, string id)
    {
        var keep = Math.Max(id.LastIndexOf('_'), id.LastIndexOf('-')) + 1;
        if (keep >= id.Length || id.Count(c => c == '-') >= 4)
        {
            keep = 0;
        }

        var hex = id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c) || c == '-');
        var text = new StringBuilder(id.Length);
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            text.Append(i < keep ? c
                : char.IsAsciiDigit(c) ? (char)('0' + random.Next(10))
                : hex && char.IsAsciiHexDigitLower(c) ? "0123456789abcdef"[random.Next(16)]
                : char.IsAsciiLetterLower(c) ? (char)('a' + random.Next(26))
                : char.IsAsciiLetterUpper(c) ? (char)('A' + random.Next(26))
                : c);
        }

        return text.ToString();
    }

    private sealed record Step(SyntheticCall Call, string? Prompt, TimeSpan Gap);
}
