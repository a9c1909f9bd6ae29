using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenSesame.Predictor.Telemetry;

/// <summary>
/// The service's <see cref="ActivitySource"/> and its prediction instruments, both named "OpenSesame.Predictor": a
/// <c>predict</c> span per prediction with a child span per stage (the keys of <c>metadata.stages_ms</c>) and one per
/// language-model call, and the prediction counter and duration histograms. Only System.Diagnostics: a host that wants
/// them exported (the API's OpenTelemetry wiring) listens by name; without a listener no span is made.
/// <para>What a span or a measurement may carry is fixed here: outcomes, stage, provider and model names, token counts,
/// costs, the prediction id. Never a prompt, a parameter value, a user or session id, an endpoint of a caller's history
/// or a key (docs/SECURITY.md): the tag names below are the whole list.</para>
/// </summary>
/// <remarks>The meter comes from <see cref="IMeterFactory"/>, which hands every part of the service asking for
/// <see cref="Name"/> the same meter (the routing, drift and recording instruments are on it too) and disposes it. The
/// source is static: spans need no services, so the stages that the evaluation runs without a host make none.</remarks>
public sealed class PredictorTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "OpenSesame.Predictor";

    /// <summary>The span around one prediction; the stages are its descendants.</summary>
    public const string PredictSpan = "predict";

    /// <summary>Bucket bounds in seconds: the stages take from microseconds (context, rank) to the seconds of a
    /// language-model call or a cold spec, which the exporters' default bounds (tuned for milliseconds) would lump.</summary>
    private static readonly double[] SecondsBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    internal static readonly ActivitySource Source = new(Name, typeof(PredictorTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _stageDuration;
    private readonly Counter<long> _specLookups;

    public PredictorTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(Name);
        _predictions = Meter.CreateCounter<long>("opensesame.predictions", "{prediction}",
            "Prediction requests by how they ended; tags: outcome (answered, refused, spec_unusable, cancelled, failed), "
            + "route (the model that served an answered one: local or a routing catalog entry; none otherwise).");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _duration = Meter.CreateHistogram("opensesame.prediction.duration", "s",
            "Time to answer a prediction (its processing_time_ms); tag: route.", tags: null, advice);
        _stageDuration = Meter.CreateHistogram("opensesame.prediction.stage.duration", "s",
            "Time of each stage of an answered prediction, as its metadata.stages_ms reports it; tag: stage.", tags: null, advice);
        _specLookups = Meter.CreateCounter<long>("opensesame.spec.cache.lookups", "{lookup}",
            "Specs of answered predictions, served from the spec cache or not; tag: hit (true, false).");
    }

    public Meter Meter { get; }

    /// <summary>Starts the span of one prediction (null when nobody listens). Its outcome is set by
    /// <see cref="Ended"/>.</summary>
    public static Activity? StartPrediction() => Source.StartActivity(PredictSpan);

    /// <summary>Starts a stage: a span named like its key in <c>metadata.stages_ms</c>, under the current span. The
    /// stage's time is measured once, on <paramref name="time"/>: <see cref="StageSpan.Stop"/> returns it for the trace
    /// and gives the span the same duration.</summary>
    public static StageSpan Stage(string name, TimeProvider time) => new(Source.StartActivity(name), time);

    /// <summary>Starts the span of one call to a language model, a client span under the stage that asked (semantic
    /// conventions of generative AI for the names that have one).</summary>
    public static Activity? StartLlmCall(string provider, string model)
    {
        var activity = Source.StartActivity("chat " + model, ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.provider.name", provider);
        activity?.SetTag("gen_ai.request.model", model);
        return activity;
    }

    /// <summary>Ends a language-model call's span with what the call reported and the time the caller measured.</summary>
    /// <param name="outcome">"ok" or why no usable answer came ("unreadable", "timeout", "deadline", "circuit-open",
    /// "error").</param>
    public static void EndLlmCall(Activity? activity, string outcome, long? inputTokens, long? outputTokens, decimal costUsd,
        TimeSpan elapsed)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("opensesame.llm.outcome", outcome);
        activity.SetTag("gen_ai.usage.input_tokens", inputTokens);
        activity.SetTag("gen_ai.usage.output_tokens", outputTokens);
        activity.SetTag("opensesame.llm.cost_usd", (double)costUsd);
        if (outcome != "ok")
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        }

        StageSpan.End(activity, elapsed);
    }

    /// <summary>Counts a prediction that ended without an answer, and says so on its span.</summary>
    /// <param name="outcome">refused, spec_unusable, cancelled or failed.</param>
    /// <param name="failure">What was thrown, for a failed one: only its type is kept (a message may quote a request).</param>
    public void Ended(Activity? activity, string outcome, Exception? failure = null)
    {
        activity?.SetTag("opensesame.prediction.outcome", outcome);
        if (failure is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        }

        _predictions.Add(1, new("outcome", outcome), new("route", "none"));
    }

    /// <summary>Counts an answered prediction and records its durations: the total and each stage, from what the
    /// response reports, so that the metrics and <c>metadata.stages_ms</c> are one measurement.</summary>
    /// <param name="route">The model that served it (local, or a routing catalog entry).</param>
    public void Answered(Activity? activity, string predictionId, string route, bool specCached, decimal costUsd,
        double processingMs, IReadOnlyDictionary<string, double> stagesMs)
    {
        ArgumentNullException.ThrowIfNull(stagesMs);
        if (activity is not null)
        {
            activity.SetTag("opensesame.prediction.outcome", "answered");
            activity.SetTag("opensesame.prediction.id", predictionId);
            activity.SetTag("opensesame.route.model", route);
            activity.SetTag("opensesame.spec.cached", specCached);
            activity.SetTag("opensesame.cost_usd", (double)costUsd);
        }

        var routeTag = new KeyValuePair<string, object?>("route", route);
        _predictions.Add(1, new("outcome", "answered"), routeTag);
        _duration.Record(processingMs / 1000, routeTag);
        foreach (var (stage, ms) in stagesMs)
        {
            _stageDuration.Record(ms / 1000, new KeyValuePair<string, object?>("stage", stage));
        }

        _specLookups.Add(1, new KeyValuePair<string, object?>("hit", specCached));
    }
}

/// <summary>
/// One stage of a prediction as a span: started by <see cref="PredictorTelemetry.Stage"/>, ended by <see cref="Stop"/>,
/// which returns the stage's time (what <c>metadata.stages_ms</c> records) and gives the span exactly that duration.
/// Disposing a stage that was not stopped ends its span as an error: the stage threw or was cancelled.
/// </summary>
public readonly struct StageSpan : IDisposable
{
    private readonly Activity? _activity;
    private readonly TimeProvider _time;
    private readonly long _started;

    internal StageSpan(Activity? activity, TimeProvider time)
    {
        _activity = activity;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>Ends the stage; its time since it started.</summary>
    public TimeSpan Stop()
    {
        var elapsed = _time.GetElapsedTime(_started);
        if (_activity is not null)
        {
            End(_activity, elapsed);
        }

        return elapsed;
    }

    public void Dispose()
    {
        if (_activity is { IsStopped: false })
        {
            _activity.SetStatus(ActivityStatusCode.Error, "The stage did not finish.");
            _activity.Dispose();
        }
    }

    // The span's own clock would be a second measurement, a little different from the one the response reports; the
    // service's clock (a fake one in tests) is the one both read.
    internal static void End(Activity activity, TimeSpan elapsed)
    {
        if (elapsed > TimeSpan.Zero)
        {
            activity.SetEndTime(activity.StartTimeUtc + elapsed);
        }

        activity.Stop();
    }
}
