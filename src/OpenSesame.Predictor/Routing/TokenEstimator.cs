using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.ML.Tokenizers;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// Input tokens before the call, cost before the call. Messages are counted with the cl100k_base tokenizer (GPT-3.5's
/// own; Claude's tokenizer is not public, and counts differently), then corrected per model by the ratio of the input
/// tokens the provider reported to the tokens counted here: a running mean that, after
/// <see cref="CorrectionWindow"/> calls, weighs each new call 1/<see cref="CorrectionWindow"/>; each observation and
/// the mean are bounded to
/// [<see cref="MinCorrection"/>, <see cref="MaxCorrection"/>] so one odd answer cannot swing the estimate.
/// </summary>
internal sealed class TokenEstimator
{
    /// <summary>Chat framing per message (role and separators), as in OpenAI's counting recipe for cl100k models.</summary>
    public const int TokensPerMessage = 3;

    /// <summary>The tokens that prime the assistant's reply.</summary>
    public const int TokensPerReply = 3;

    public const double MinCorrection = 0.5;
    public const double MaxCorrection = 2.0;
    public const int CorrectionWindow = 100;

    // Loading the vocabulary takes a moment and some memory; only a service that routes pays for it.
    private static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    private readonly ConcurrentDictionary<string, Correction> _corrections = new(StringComparer.OrdinalIgnoreCase);

    public static int CountTokens(string? text) => string.IsNullOrEmpty(text) ? 0 : Cl100k.Value.CountTokens(text);

    /// <summary>The cl100k count of a conversation: every message's text plus its framing, plus the reply's.</summary>
    public static int CountTokens(IEnumerable<ChatMessage> messages)
    {
        var count = TokensPerReply;
        foreach (var message in messages)
        {
            count += TokensPerMessage + CountTokens(message.Text);
        }

        return count;
    }

    /// <summary>The factor this model's reported input tokens have run at, relative to the cl100k count; 1 until it
    /// has answered.</summary>
    public double CorrectionFor(string model) =>
        _corrections.TryGetValue(model, out var correction) ? correction.Ratio : 1.0;

    /// <summary>The input tokens the model is expected to bill for a conversation of <paramref name="countedTokens"/>
    /// cl100k tokens.</summary>
    public long EstimateInputTokens(string model, int countedTokens) =>
        (long)Math.Round(countedTokens * CorrectionFor(model), MidpointRounding.AwayFromZero);

    /// <summary>Estimated input at the model's input price plus the expected output
    /// (<see cref="RoutingOptions.ExpectedOutputTokens"/>) at its output price.</summary>
    public decimal EstimateCost(string name, RoutingModelOptions model, int countedTokens, int expectedOutputTokens) =>
        model.IsLocal ? 0m : model.Cost(EstimateInputTokens(name, countedTokens), expectedOutputTokens);

    /// <summary>Learns from a provider's usage report: it billed <paramref name="actualInputTokens"/> for what was
    /// counted as <paramref name="countedTokens"/>.</summary>
    public void Observe(string model, int countedTokens, long actualInputTokens)
    {
        if (countedTokens <= 0 || actualInputTokens <= 0)
        {
            return;
        }

        var observed = Math.Clamp((double)actualInputTokens / countedTokens, MinCorrection, MaxCorrection);
        _corrections.GetOrAdd(model, _ => new Correction()).Add(observed);
    }

    private sealed class Correction
    {
        private readonly Lock _gate = new();
        private double _ratio = 1.0;
        private int _count;

        public double Ratio
        {
            get
            {
                lock (_gate)
                {
                    return _ratio;
                }
            }
        }

        // A plain mean over the first calls, then an exponential average with the window's weight: recent prompts
        // (a new prompt version, a new spec) count, and memory stays constant.
        public void Add(double observed)
        {
            lock (_gate)
            {
                _count = Math.Min(_count + 1, CorrectionWindow);
                _ratio = Math.Clamp(_ratio + ((observed - _ratio) / _count), MinCorrection, MaxCorrection);
            }
        }
    }
}

/// <summary>Loads the tokenizer's vocabulary in the background when the host starts (about 200 ms on a shared 2-core
/// machine), so the first routed question does not spend that much of its deadline on it.</summary>
internal sealed class TokenEstimatorWarmUp : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => TokenEstimator.CountTokens("warm up"), stoppingToken);
}
