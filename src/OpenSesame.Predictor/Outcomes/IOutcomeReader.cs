namespace OpenSesame.Predictor.Outcomes;

/// <summary>
/// Reads the outcome log back for learning: what retraining needs, apart from what serving writes
/// (<see cref="IOutcomeStore"/>), so a store can offer one without the other.
/// </summary>
public interface IOutcomeReader
{
    /// <summary>Every logged prediction that has an outcome, with it, oldest prediction first (by the time it was
    /// answered, then by the order it was logged); only those answered at or after <paramref name="predictedSince"/>
    /// when it is given.</summary>
    IAsyncEnumerable<LoggedOutcome> ReadOutcomesAsync(DateTimeOffset? predictedSince, CancellationToken cancellationToken);

    /// <summary>How many outcomes recorded after <paramref name="since"/> chose an operation among their prediction's
    /// logged candidates: the ranking groups with a positive that arrived since then.</summary>
    Task<int> CountLabelledSinceAsync(DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>A served prediction and what became of it: a ranking group, labelled when <see cref="RecordedOutcome.Chosen"/>
/// is one of the logged candidates.</summary>
public sealed record LoggedOutcome(ServedPrediction Prediction, RecordedOutcome Outcome);
