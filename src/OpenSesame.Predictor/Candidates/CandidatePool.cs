using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates;

/// <summary>One operation of the merged pool, with what every generator that proposed it said.</summary>
/// <param name="Ranks">The operation's 0-based rank in each generator that proposed it.</param>
/// <param name="Source">Who proposed it: a generator's name, or several joined by "+" ("local+llm").</param>
/// <param name="Reason">The first reason a proposer gave in words.</param>
/// <param name="Repair">What had to be corrected in the first proposal of it to fit the spec.</param>
/// <param name="ProposedParams">Every proposer's suggested values, the first proposal's winning a name they share.</param>
public sealed record PooledCandidate(
    ApiOperation Operation,
    IReadOnlyDictionary<string, int> Ranks,
    string Source,
    string? Reason,
    string? Repair,
    IReadOnlyDictionary<string, JsonElement> ProposedParams);

/// <summary>The candidates of every generator, deduplicated by operation, in the order they were first proposed.</summary>
/// <param name="Answered">The generators that proposed at least one candidate, in their order.</param>
public sealed record CandidatePool(IReadOnlyList<PooledCandidate> Candidates, IReadOnlyList<string> Answered)
{
    /// <param name="proposals">Each generator's proposals, best first, in the generators' order.</param>
    public static CandidatePool Merge(IReadOnlyList<(string Generator, IReadOnlyList<ProposedCall> Calls)> proposals)
    {
        var order = new List<ApiOperation>();
        var first = new Dictionary<int, ProposedCall>();
        var ranks = new Dictionary<int, Dictionary<string, int>>();
        var reasons = new Dictionary<int, string?>();
        var parameters = new Dictionary<int, Dictionary<string, JsonElement>>();
        var answered = new List<string>();
        foreach (var (generator, calls) in proposals)
        {
            if (calls.Count > 0)
            {
                answered.Add(generator);
            }

            for (var rank = 0; rank < calls.Count; rank++)
            {
                var call = calls[rank];
                var index = call.Operation.Index;
                if (first.TryAdd(index, call))
                {
                    order.Add(call.Operation);
                    ranks[index] = new Dictionary<string, int>(StringComparer.Ordinal);
                    parameters[index] = new Dictionary<string, JsonElement>(call.Params, StringComparer.Ordinal);
                    reasons[index] = call.Reason;
                }

                ranks[index][generator] = rank;
                reasons[index] ??= call.Reason;
                foreach (var (name, value) in call.Params)
                {
                    parameters[index].TryAdd(name, value);
                }
            }
        }

        var generators = proposals.Select(p => p.Generator).ToList();
        return new CandidatePool(
            [.. order.Select(operation => new PooledCandidate(
                operation,
                ranks[operation.Index],
                string.Join('+', generators.Where(ranks[operation.Index].ContainsKey)),
                reasons[operation.Index],
                first[operation.Index].Repair,
                parameters[operation.Index]))],
            answered);
    }
}
