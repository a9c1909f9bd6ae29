namespace OpenSesame.Evaluation;

/// <summary>Which part of a dataset a run scores (<c>opensesame eval --split</c>).</summary>
public enum EvalSplit
{
    /// <summary>Every task the dataset holds; the only choice for datasets without a split.</summary>
    All,

    /// <summary>The part a model may be trained on.</summary>
    Train,

    /// <summary>The part held out to choose and check models.</summary>
    Validation,
}

/// <summary>The <c>--split</c> names.</summary>
public static class EvalSplits
{
    /// <summary>all, train, validation.</summary>
    public static IReadOnlyList<string> Names { get; } = ["all", "train", "validation"];

    /// <exception cref="EvalDataException">The name is none of <see cref="Names"/>.</exception>
    public static EvalSplit Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "all" => EvalSplit.All,
        "train" => EvalSplit.Train,
        "validation" => EvalSplit.Validation,
        _ => throw new EvalDataException($"Unknown split '{name}'. Known splits: {string.Join(", ", Names)}."),
    };

    public static string NameOf(EvalSplit split) => Names[(int)split];
}
