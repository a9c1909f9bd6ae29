namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The cost-aware router: the model catalog, the thresholds it decides by, the budgets and their alerts. Section
/// "Routing" of the configuration, read through <c>IOptionsMonitor</c>: prices, thresholds and budgets change without a
/// restart (an invalid change is refused and the last valid settings stay in force).
/// </summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>Providers a model may name. "local" is the local candidate generator: no call, no cost.</summary>
    public const string Anthropic = "anthropic";

    public const string OpenAI = "openai";

    public const string Local = "local";

    /// <summary>The models the router may choose, by a name of your choice (the configuration key). Entries from the
    /// configuration merge into the defaults by name; set <c>Enabled</c> to false to remove a default. Defaults:
    /// <c>claude-3-haiku</c> ($0.25 / $1.25, quality 0.85), <c>claude-3-sonnet</c> ($3 / $15, quality 0.95, for
    /// complex queries), <c>gpt-35-turbo</c> ($0.50 / $1.50, quality 0.8, the fallback when Anthropic fails) and
    /// <c>local</c> ($0, quality 0.6). Prices are the providers' list prices; quality scores and latencies are
    /// priors to tune, not measurements.</summary>
    public Dictionary<string, RoutingModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["claude-3-haiku"] = new()
        {
            Provider = Anthropic,
            Model = "claude-3-haiku-20240307",
            InputUsdPerMillionTokens = 0.25m,
            OutputUsdPerMillionTokens = 1.25m,
            ExpectedLatency = TimeSpan.FromSeconds(1),
            Quality = 0.85,
            SupportsStructuredOutput = true,
        },
        ["claude-3-sonnet"] = new()
        {
            Provider = Anthropic,
            Model = "claude-3-sonnet-20240229",
            InputUsdPerMillionTokens = 3m,
            OutputUsdPerMillionTokens = 15m,
            ExpectedLatency = TimeSpan.FromSeconds(2.5),
            Quality = 0.95,
            SupportsStructuredOutput = true,
        },
        ["gpt-35-turbo"] = new()
        {
            Provider = OpenAI,
            Model = "gpt-3.5-turbo",
            InputUsdPerMillionTokens = 0.50m,
            OutputUsdPerMillionTokens = 1.50m,
            ExpectedLatency = TimeSpan.FromSeconds(1),
            Quality = 0.8,
            SupportsStructuredOutput = true,
        },
        ["local"] = new()
        {
            Provider = Local,
            Model = "local",
            ExpectedLatency = TimeSpan.FromMilliseconds(5),
            Quality = 0.6,
            SupportsStructuredOutput = true,
        },
    };

    /// <summary>The cheapest model whose quality score reaches this serves an ordinary request. Default 0.8.</summary>
    public double QualityFloor { get; set; } = 0.8;

    /// <summary>A model whose estimated cost for one prediction is above this gives way to a cheaper one (the local
    /// generator when no model is that cheap). Default $0.01.</summary>
    public decimal PredictionCostThresholdUsd { get; set; } = 0.01m;

    /// <summary>A request whose complexity score (0–1, see <see cref="ComplexityScorer"/>) reaches this goes to the
    /// best-quality model while the budget is below <see cref="DegradePercent"/>. Default 0.6.</summary>
    public double ComplexityThreshold { get; set; } = 0.6;

    /// <summary>Output tokens an answer is expected to have, for the estimate before the call. Default 150 (a
    /// prediction's answer: a few candidates of one line each).</summary>
    public int ExpectedOutputTokens { get; set; } = 150;

    /// <summary>The spend allowed per calendar month (UTC), in US dollars. Default $100.</summary>
    public decimal MonthlyBudgetUsd { get; set; } = 100m;

    /// <summary>The spend allowed per calendar day (UTC); none by default. When set, the fuller of the two budgets
    /// drives degradation and the local-only switch, and each alerts on its own.</summary>
    public decimal? DailyBudgetUsd { get; set; }

    /// <summary>Percentages of a budget at which an alert is raised, once per level per budget period. Empty (the
    /// default) means 75, 90 and 100. A list, not defaults merged with the configuration: the binder would append.</summary>
    public List<double> AlertPercents { get; set; } = [];

    /// <summary>From this share of a budget on, the router chooses one tier below its usual choice. Default 75 %.</summary>
    public double DegradePercent { get; set; } = 75;

    /// <summary>From this share of a budget on, only the local generator serves. Default 100 %.</summary>
    public double LocalOnlyPercent { get; set; } = 100;

    /// <summary>Alerts are also POSTed as JSON to this http(s) URL; none by default. Delivery failures are logged.</summary>
    public string? AlertWebhookUrl { get; set; }

    /// <summary>Longest wait for the webhook. Default 5 s.</summary>
    public TimeSpan AlertWebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The anomaly alert fires when the last hour's spend exceeds this multiple of the hourly average over
    /// the <see cref="AnomalyBaselineDays"/> before it. Default 3.</summary>
    public double AnomalyFactor { get; set; } = 3;

    /// <summary>Days of history the hourly average is taken over. Default 7.</summary>
    public int AnomalyBaselineDays { get; set; } = 7;

    /// <summary>The last hour must have spent at least this much for an anomaly: after a quiet week (or on a new
    /// ledger) the first cents are not an incident. Default $0.10.</summary>
    public decimal AnomalyMinimumUsd { get; set; } = 0.10m;

    /// <summary>The anomaly check reads the ledger at most this often; budget levels are checked on every recording
    /// (from memory). Default 1 minute.</summary>
    public TimeSpan AnomalyCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The alert levels in force: <see cref="AlertPercents"/>, or 75, 90 and 100 when it is empty.</summary>
    public IReadOnlyList<double> EffectiveAlertPercents =>
        AlertPercents.Count > 0 ? [.. AlertPercents.Distinct().Order()] : [75, 90, 100];

    /// <summary>The one enabled local model (validation guarantees there is exactly one).</summary>
    public KeyValuePair<string, RoutingModelOptions> LocalModel =>
        Models.First(m => m.Value.Enabled && m.Value.IsLocal);
}

/// <summary>One model of the routing catalog.</summary>
public sealed class RoutingModelOptions
{
    /// <summary>"anthropic", "openai" or "local".</summary>
    public string Provider { get; set; } = "";

    /// <summary>The provider's model id, as sent in the API call (for example <c>claude-3-haiku-20240307</c>).</summary>
    public string Model { get; set; } = "";

    /// <summary>US dollars per million input tokens.</summary>
    public decimal InputUsdPerMillionTokens { get; set; }

    /// <summary>US dollars per million output tokens.</summary>
    public decimal OutputUsdPerMillionTokens { get; set; }

    /// <summary>Typical time to an answer; breaks ties between models of equal cost and quality.</summary>
    public TimeSpan ExpectedLatency { get; set; }

    /// <summary>How good the model's candidates are, 0–1, compared with the <see cref="RoutingOptions.QualityFloor"/>.</summary>
    public double Quality { get; set; }

    /// <summary>Whether it answers reliably in the required JSON shape; a request may require it.</summary>
    public bool SupportsStructuredOutput { get; set; } = true;

    /// <summary>False removes the model from the catalog (a default one included). Default true.</summary>
    public bool Enabled { get; set; } = true;

    public bool IsLocal => Provider == RoutingOptions.Local;

    /// <summary>What a call with these tokens costs.</summary>
    public decimal Cost(long inputTokens, long outputTokens) =>
        ((inputTokens * InputUsdPerMillionTokens) + (outputTokens * OutputUsdPerMillionTokens)) / 1_000_000m;
}
