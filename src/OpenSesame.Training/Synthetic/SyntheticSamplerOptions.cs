namespace OpenSesame.Training.Synthetic;

/// <summary>Knobs of <see cref="SyntheticSessionSampler"/>; every default is the value training uses.</summary>
public sealed class SyntheticSamplerOptions
{
    /// <summary>Fewest calls in a session (3): with less history there is little for the ranker to learn from.</summary>
    public int MinCalls { get; init; } = 3;

    /// <summary>Most calls in a session (15): real task sessions rarely run longer before the user moves on.</summary>
    public int MaxCalls { get; init; } = 15;

    /// <summary>Share of sessions without any prompt (0.25).</summary>
    public double NoPromptShare { get; init; } = 0.25;

    /// <summary>Share of sessions with one goal prompt kept for every step (0.25): the case the product is built for.</summary>
    public double GoalPromptShare { get; init; } = 0.25;

    /// <summary>Share of sessions briefed with one multi-step task description kept for every step (0.15).</summary>
    public double TaskPromptShare { get; init; } = 0.15;

    /// <summary>Share of sessions whose prompts spell out each next call (0.20).</summary>
    public double ExplicitPromptShare { get; init; } = 0.20;

    /// <summary>Share of sessions with prompts that carry no information ("continue") (0.15).</summary>
    public double VaguePromptShare { get; init; } = 0.15;

    /// <summary>
    /// Chance that a session without a goal prompt is still steered by a goal the user did not type (0.6), so the
    /// same purposeful paths appear with and without their prompt.
    /// </summary>
    public double LatentGoalProbability { get; init; } = 0.6;

    /// <summary>
    /// Weight multiplier for moving to a goal operation not yet done (3); the goal's next step in its usual order gets
    /// the square (9).
    /// </summary>
    public double GoalBoost { get; init; } = 3;

    /// <summary>Chance that a goal-steered session opens with the goal's first operation (0.5).</summary>
    public double GoalStartProbability { get; init; } = 0.5;

    /// <summary>Chance of going straight to the goal's next step when the chain has no edge to it (0.3).</summary>
    public double GoalJumpProbability { get; init; } = 0.3;

    /// <summary>Multiplier of the stop weight while the goal's last operation is still ahead (0.15).</summary>
    public double GoalEndSuppression { get; init; } = 0.15;

    /// <summary>Multiplier of the stop weight once the goal's last operation is done (3).</summary>
    public double GoalEndBoost { get; init; } = 3;

    /// <summary>Chance that a step of an explicit session has its prompt (0.85); the first step always has one.</summary>
    public double ExplicitStepProbability { get; init; } = 0.85;

    /// <summary>Chance that a step of a vague session has its prompt (0.7).</summary>
    public double VagueStepProbability { get; init; } = 0.7;

    /// <summary>Chance that an explicit prompt reuses the spec's own summary instead of a workflow phrasing (0.15).</summary>
    public double SummaryPhrasingProbability { get; init; } = 0.15;

    /// <summary>Chance that a prompt carries a typo: a swapped, dropped or doubled letter (0.08).</summary>
    public double TypoProbability { get; init; } = 0.08;

    /// <summary>Chance that a prompt is capitalised or shouted instead of lower case (0.2).</summary>
    public double CasingProbability { get; init; } = 0.2;

    /// <summary>Chance that a prompt gains filler words ("hey", "thanks", "asap") (0.2).</summary>
    public double ExtraWordsProbability { get; init; } = 0.2;

    /// <summary>Chance per step of jumping to a start operation instead of following the chain (0.04).</summary>
    public double DetourProbability { get; init; } = 0.04;

    /// <summary>Fewest ids one list or search response shows (3).</summary>
    public int ListRevealMin { get; init; } = 3;

    /// <summary>Most ids one list or search response shows (8).</summary>
    public int ListRevealMax { get; init; } = 8;

    /// <summary>Shortest pause between calls, in seconds (2).</summary>
    public double MinGapSeconds { get; init; } = 2;

    /// <summary>Longest ordinary pause between calls, in seconds (240); gaps are log-uniform in between.</summary>
    public double MaxGapSeconds { get; init; } = 240;

    /// <summary>Chance of a long pause (a meeting, a coffee) of up to <see cref="LongPauseMaxSeconds"/> (0.05).</summary>
    public double LongPauseProbability { get; init; } = 0.05;

    /// <summary>Longest pause between calls, in seconds (1800).</summary>
    public double LongPauseMaxSeconds { get; init; } = 1800;

    /// <summary>
    /// What clients do around the walk: retries, further pages, polling, reading each listed item, a second task
    /// interleaved, starting mid-workflow. <see cref="ClientBehaviourOptions.None"/> keeps the bare walk. Default: the
    /// rates documented on <see cref="ClientBehaviourOptions"/>.
    /// </summary>
    public ClientBehaviourOptions Behaviours { get; init; } = new();

    /// <summary>The configured share of one prompt kind.</summary>
    public double ShareOf(SyntheticPromptKind kind) => kind switch
    {
        SyntheticPromptKind.None => NoPromptShare,
        SyntheticPromptKind.Goal => GoalPromptShare,
        SyntheticPromptKind.Explicit => ExplicitPromptShare,
        SyntheticPromptKind.Task => TaskPromptShare,
        _ => VaguePromptShare,
    };

    /// <summary>A prompt kind drawn by <see cref="ShareOf"/>.</summary>
    internal SyntheticPromptKind PickKind(Random random)
    {
        var kinds = Enum.GetValues<SyntheticPromptKind>();
        var roll = random.NextDouble() * kinds.Sum(ShareOf);
        foreach (var kind in kinds)
        {
            roll -= ShareOf(kind);
            if (roll < 0)
            {
                return kind;
            }
        }

        return SyntheticPromptKind.Vague;
    }
}
