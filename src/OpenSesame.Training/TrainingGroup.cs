namespace OpenSesame.Training;

/// <summary>
/// One ranking question of the training data: the pool the real generator produced at one step of one session, each
/// candidate's features, and which candidate (if any) was the call the user made next.
/// </summary>
/// <param name="Positive">Index of the true next call in <see cref="Keys"/>, or -1 when the pool lacks it.</param>
/// <param name="RemovedOnPurpose">The true call was in the pool and was taken out to teach "none of these".</param>
/// <param name="Weight">How much the group counts in fitting the trees against a synthetic group's 1 (a logged outcome
/// of real traffic may count more).</param>
internal sealed record TrainingGroup(
    string Domain,
    int Session,
    int Step,
    IReadOnlyList<string> Keys,
    float[][] Features,
    int Positive,
    bool RemovedOnPurpose,
    float Weight = 1);
