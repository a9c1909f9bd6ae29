using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates;

/// <summary>
/// A proposed next call as it travels the pipeline: generators propose it, features describe it, the critic fills
/// its parameters, the ranker scores and explains it.
/// </summary>
public sealed class Candidate(ApiOperation operation, string source)
{
    public ApiOperation Operation { get; } = operation;

    /// <summary>Who proposed it: a generator's name, or several joined by "+" once the pool is merged ("local+llm").</summary>
    public string Source { get; set; } = source;

    /// <summary>0-based position in each generator's own ordering; absent when that generator did not propose it.</summary>
    public Dictionary<string, int> GeneratorRanks { get; } = new(StringComparer.Ordinal);

    /// <summary>A reason a generator gave in words (LLMs do), used when the features explain nothing better.</summary>
    public string? ProposedReason { get; set; }

    /// <summary>Feature values in the order of <see cref="Ranking.FeatureSchema.Names"/>.</summary>
    public float[] Features { get; set; } = [];

    public Dictionary<string, object?> Params { get; } = new(StringComparer.Ordinal);

    /// <summary>The destructive-call policy's verdict, given at critique: the call deletes, voids, cancels... something.</summary>
    public bool Destructive { get; set; }

    /// <summary>Parameter values a generator suggested (an LLM's "params"). Proposals only: the critic's filler takes
    /// those the operation declares and their schema accepts, and a path id only when the user's history or prompt
    /// holds it.</summary>
    public Dictionary<string, System.Text.Json.JsonElement> ProposedParams { get; } = new(StringComparer.Ordinal);

    /// <summary>What had to be corrected to make the proposer's call an operation of the spec ("method PUT → PATCH"),
    /// null when it named one as written.</summary>
    public string? Repair { get; set; }

    public double Score { get; set; }

    public string Why { get; set; } = "";

    public override string ToString() => $"{Operation.Key} ({Score:0.000})";
}
