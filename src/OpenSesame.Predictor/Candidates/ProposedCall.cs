using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Candidates;

/// <summary>One next call a generator proposes: an operation of the spec, and what the generator said about it.</summary>
/// <param name="Operation">Always an operation of the request's spec; generators map what they thought of onto it.</param>
public sealed record ProposedCall(ApiOperation Operation)
{
    public static readonly IReadOnlyDictionary<string, JsonElement> NoParams = new Dictionary<string, JsonElement>();

    /// <summary>A reason the generator gave in words (language models do), used when the features explain nothing
    /// better.</summary>
    public string? Reason { get; init; }

    /// <summary>What had to be corrected to make the proposer's call an operation of the spec ("method PUT → PATCH"),
    /// null when it named one as written.</summary>
    public string? Repair { get; init; }

    /// <summary>Parameter values the generator suggested, by the operation's parameter names. Proposals only: the
    /// critic takes those the operation declares and their schema accepts, and a path id only when the user's history
    /// or prompt holds it.</summary>
    public IReadOnlyDictionary<string, JsonElement> Params { get; init; } = NoParams;
}
