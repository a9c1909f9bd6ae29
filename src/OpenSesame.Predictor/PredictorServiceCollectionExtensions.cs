using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Candidates.Llm;
using OpenSesame.Predictor.Guardrails.Audit;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;
using OpenSesame.Predictor.Telemetry;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Predictor;

public static class PredictorServiceCollectionExtensions
{
    /// <summary>Settings of the "Llm" section that the routing catalog (<c>Routing:Models</c>) took over.</summary>
    private static readonly string[] MovedToRoutingCatalog =
    [
        "Anthropic:Model", "Anthropic:InputUsdPerMillionTokens", "Anthropic:OutputUsdPerMillionTokens",
        "OpenAI:Model", "OpenAI:InputUsdPerMillionTokens", "OpenAI:OutputUsdPerMillionTokens",
    ];

    /// <summary>The whole prediction pipeline: the local generator and the learned ranker (the trained one in the model
    /// directory, else the one shipped with the service). Storage comes from a provider the host adds
    /// (<c>AddSqliteStorage</c>, the embedded default). Options bind from the "Specs", "Storage", "Ranking",
    /// "Prediction", "Semantics", "Audit", "Guardrails", "Usage", "Outcomes", "Learning", "Llm" and "Routing" configuration sections; the LLM
    /// generator joins only when a provider has a key.</summary>
    public static IServiceCollection AddPredictor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SpecOptions>().Bind(configuration.GetSection(SpecOptions.Section))
            .Validate(o => o.MaxDocumentBytes > 0 && o.FetchTimeout > TimeSpan.Zero && o.CacheTtl >= TimeSpan.Zero
                           && o.CatalogCacheCapacity > 0 && o.MaxReferences >= 0 && o.MaxReferenceDepth > 0
                           && o.MaxOperations > 0 && o.ParseBudget > TimeSpan.Zero,
                "Specs: sizes, limits, timeouts and capacities must be positive.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section))
            .Validate(o => o.IsKnownProvider, $"Storage:Provider must be {string.Join(" or ", StorageOptions.Providers)} (the default is Sqlite).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Storage:DataDirectory is required.")
            .Validate(o => o.CacheCleanupInterval > TimeSpan.Zero, "Storage:CacheCleanupInterval must be positive.")
            .ValidateOnStart();
        // Registered before the services that record, so that it stops after them and writes what they queued.
        services.AddRecordWriter(configuration);
        services.AddOptions<RankingOptions>().Bind(configuration.GetSection(RankingOptions.Section))
            .Validate(o => o.ReloadInterval > TimeSpan.Zero, "Ranking:ReloadInterval must be positive.")
            .ValidateOnStart();
        services.AddOptions<PredictionOptions>().Bind(configuration.GetSection(PredictionOptions.Section))
            .Validate(o => o.DefaultK >= 1 && o.DefaultK <= o.MaxK && o.CandidateBuffer >= 0 && o.MaxEvents >= 0
                           && o.MaxPromptLength >= 0 && o.CandidateBufferPerRootOperation >= 0 && o.MaxCandidateBuffer >= o.CandidateBuffer,
                "Prediction: 1 <= DefaultK <= MaxK, CandidateBuffer <= MaxCandidateBuffer, and no negative limits.")
            .ValidateOnStart();
        services.AddOptions<SemanticOptions>().Bind(configuration.GetSection(SemanticOptions.Section))
            .PostConfigure<IOptions<StorageOptions>>((semantics, storage) =>
                semantics.EncoderDirectory ??= Path.Combine(storage.Value.DataDirectory, "encoder"))
            .Validate(o => o.Problem() is null, "Semantics: MaxQueuedIndexes and MaxIndexedOperations must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<DestructiveCallPolicyOptions>().Bind(configuration.GetSection(DestructiveCallPolicyOptions.Section))
            .Validate(o => DestructiveCallPolicy.IsValidWordList(o.Words) && DestructiveCallPolicy.IsValidWordList(o.IntentWords),
                "Guardrails:Destructive: Words and IntentWords are single words, as operation names split (\"void\", not \"void invoice\").")
            .ValidateOnStart();
        services.AddOptions<InjectionOptions>().Bind(configuration.GetSection(InjectionOptions.Section))
            .Validate(o => Enum.IsDefined(o.Action), "Guardrails:Injection:Action is LocalOnly or Reject.")
            .ValidateOnStart();

        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section))
            .Validate(o => o.Retention > TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero, "Audit: Retention and CleanupInterval must be positive.")
            .ValidateOnStart();
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.Section)).ValidateOnStart();
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection(UsageOptions.Section))
            .Validate(o => o.CachedLayers > 0 && o.HalfLife >= TimeSpan.Zero && o.RefreshInterval >= TimeSpan.Zero,
                "Usage: CachedLayers must be positive; HalfLife and RefreshInterval zero (never) or positive.")
            .ValidateOnStart();
        services.AddOptions<OutcomeOptions>().Bind(configuration.GetSection(OutcomeOptions.Section))
            .Validate(o => o.Retention > TimeSpan.Zero && o.CleanupInterval > TimeSpan.Zero && o.MaxServedPredictions > 0
                           && o.CandidatesPerPrediction > 0,
                "Outcomes: Retention, CleanupInterval, MaxServedPredictions and CandidatesPerPrediction must be positive.")
            .ValidateOnStart();
        services.AddOptions<DriftOptions>().Bind(configuration.GetSection(DriftOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero && o.Window > TimeSpan.Zero && o.MinOutcomes > 0 && o.Top3Drop > 0 && o.PsiAlert > 0,
                "Drift: Interval, Window, MinOutcomes, Top3Drop and PsiAlert must be positive.")
            .ValidateOnStart();
        services.AddOptions<LearningOptions>().Bind(configuration.GetSection(LearningOptions.Section))
            .Validate(o => o.Problem() is null, "Learning: RealGroupWeight, MaxRealGroups, MinHoldoutGroups, PromotionMargin and "
                + "RetrainAfterGroups are 0 or more, HoldoutShare in [0, 1), RetrainInterval (when set), PollInterval and ClaimTimeout positive.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PredictorTelemetry>();
        // One redactor per PII category; a host's own AddRedaction call may replace any of them (HMAC, erasing).
        services.AddRedaction(redaction => PlaceholderRedactor.SetAll(redaction));
        services.AddSingleton<IPiiRedactor, PiiRedactor>();
        services.AddSingleton<PiiRequestGuard>();
        services.AddSingleton<UsageLearning>();
        services.AddHostedService<AuditRetentionService>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<FeedbackService>();
        services.AddHostedService<OutcomeRetentionService>();
        services.AddSingleton<OnlineMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<OnlineMonitor>());
        services.AddRouting(configuration);
        // Without the factory's loggers: they log every refused download (a blocked address, a redirect elsewhere)
        // with its stack trace, which any caller can repeat at will; the refusal reaches the caller as a 422.
        services.AddHttpClient(SpecFetcher.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => SpecFetcher.CreateHandler(sp.GetRequiredService<IOptions<SpecOptions>>().Value));
        services.AddSingleton(sp => new SpecFetcher(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SpecFetcher.HttpClientName),
            sp.GetRequiredService<IOptions<SpecOptions>>()));
        services.AddSingleton<SpecProvider>();

        services.AddSingleton<SentenceEmbedder>();
        services.AddSingleton<ICandidateGenerator, LocalCandidateGenerator>();
        services.AddLlmCandidates(configuration);
        services.AddSingleton(sp => RankerModelStore.Configured(sp.GetRequiredService<IOptions<RankingOptions>>().Value,
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RankerHost>();
        services.AddSingleton<IRankerSource>(sp => sp.GetRequiredService<RankerHost>());
        services.AddSingleton<RankerExperiment>();
        services.AddHostedService(sp => sp.GetRequiredService<RankerHost>());
        services.AddSingleton<DestructiveCallPolicy>();
        services.AddSingleton<InjectionDetector>();
        services.AddSingleton(sp => new PredictionAccounting(sp.GetRequiredService<ModelRouter>(), sp.GetRequiredService<RoutePricer>(),
            sp.GetRequiredService<CostRecorder>(), sp.GetRequiredService<LlmRollout>()));
        services.AddSingleton<CandidatePipeline>();
        services.AddSingleton<PredictionPipeline>();
        services.AddSingleton<PredictionService>();
        return services;
    }

    /// <summary>For a long-running service: the prediction code compiled while it starts, before it listens, instead of
    /// during its first request (<see cref="StartupWarmUp"/>, <see cref="PredictionOptions.WarmUp"/>). Not for a
    /// command that makes one prediction. Added after <see cref="AddPredictor"/>, so the ranker has loaded when it
    /// runs.</summary>
    public static IServiceCollection AddStartupWarmUp(this IServiceCollection services) =>
        services.AddHostedService<StartupWarmUp>();

    /// <summary>The LLM generator, when Anthropic or OpenAI has a key: from the "Llm" section, or the
    /// <c>ANTHROPIC_API_KEY</c> / <c>OPENAI_API_KEY</c> configuration keys the hosts fill from the environment (base
    /// URLs likewise from <c>ANTHROPIC_BASE_URL</c> / <c>OPENAI_BASE_URL</c>). Decided here, once: with no key nothing
    /// LLM-related is registered and predictions stay purely local. Its questions go down one chat-client chain,
    /// outermost first: the response cache (<c>Llm:Cache</c>, unless disabled), the router, the providers' clients
    /// with their resilience pipelines.</summary>
    private static void AddLlmCandidates(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(LlmOptions.Section);
        var anthropicKey = section["Anthropic:ApiKey"] is { Length: > 0 } a ? a : configuration["ANTHROPIC_API_KEY"];
        var openAIKey = section["OpenAI:ApiKey"] is { Length: > 0 } o ? o : configuration["OPENAI_API_KEY"];
        var anthropicUrl = section["Anthropic:BaseUrl"] is { Length: > 0 } au ? au : configuration["ANTHROPIC_BASE_URL"];
        var openAIUrl = section["OpenAI:BaseUrl"] is { Length: > 0 } ou ? ou : configuration["OPENAI_BASE_URL"];
        // Model ids and prices live in the routing catalog alone; a setting left behind here would be ignored, and a
        // price nobody reads is worse than none, so the service refuses to start until it is moved.
        var moved = MovedToRoutingCatalog
            .Where(key => section[key] is not null)
            .Select(key => $"{LlmOptions.Section}:{key}")
            .ToList();
        services.AddOptions<LlmOptions>().Bind(section)
            .PostConfigure(o =>
            {
                o.Anthropic.ApiKey = anthropicKey;
                o.OpenAI.ApiKey = openAIKey;
                o.Anthropic.BaseUrl = anthropicUrl;
                o.OpenAI.BaseUrl = openAIUrl;
            })
            .Validate(_ => moved.Count == 0,
                $"{string.Join(", ", moved)}: model ids and prices are set in the routing catalog now "
                + "(Routing:Models:<name>:Model, :InputUsdPerMillionTokens, :OutputUsdPerMillionTokens; see docs/COSTS.md).")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.Deadline > TimeSpan.Zero && o.ContextOperations > 0
                           && o.CandidateBuffer >= 0 && o.MaxOutputTokens > 0 && o.HistoryEvents >= 0,
                "Llm: timeouts, ContextOperations and MaxOutputTokens must be positive, buffers not negative.")
            .Validate(o => o.Review is { LowConfidence: >= 0 and <= 1, MaxPredictionCostUsd: >= 0 } && o.Review.Deadline > TimeSpan.Zero,
                "Llm:Review: LowConfidence is in [0, 1], Deadline positive, MaxPredictionCostUsd not negative.")
            .Validate(o => o.Cache.Ttl > TimeSpan.Zero, "Llm:Cache:Ttl must be positive.")
            // Polly's own bounds: the attempt's timeout is a Polly timeout, which takes 10 ms to a day.
            .Validate(o => o.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && o.AttemptTimeout <= TimeSpan.FromDays(1),
                "Llm:AttemptTimeout is between 10 ms and a day.")
            // A breaker needs two calls to judge a ratio and half a second to measure or break.
            .Validate(o => o.Resilience is { MaxRetries: >= 0, FailureRatio: > 0 and <= 1, MinimumThroughput: >= 2 }
                           && o.Resilience.RetryBaseDelay >= TimeSpan.Zero && o.Resilience.MaxRetryAfter >= TimeSpan.Zero
                           && o.Resilience.SamplingDuration >= TimeSpan.FromMilliseconds(500)
                           && o.Resilience.BreakDuration >= TimeSpan.FromMilliseconds(500),
                "Llm:Resilience: MaxRetries, RetryBaseDelay and MaxRetryAfter not negative, 0 < FailureRatio <= 1, "
                + "MinimumThroughput >= 2, SamplingDuration and BreakDuration >= 0.5 s.")
            .ValidateOnStart();
        services.TryAddSingleton<LlmUsageLog>();
        if (string.IsNullOrWhiteSpace(anthropicKey) && string.IsNullOrWhiteSpace(openAIKey))
        {
            return;
        }

        services.AddLlmHttpClients();
        services.AddSingleton(sp => LlmProviders.Create(sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>()));
        services.AddSingleton<ModelRoutingChatClient>();
        services.AddHostedService<TokenEstimatorWarmUp>();
        var chain = services.AddKeyedChatClient(LlmChatChain.ServiceKey, sp => sp.GetRequiredService<ModelRoutingChatClient>());
        if (section.GetValue("Cache:Enabled", defaultValue: true))
        {
            chain.UseLlmResponseCache();
            services.AddLlmResponseCacheStore();
        }

        services.AddSingleton<LlmCaller>();
        services.AddSingleton<ICandidateGenerator, LlmCandidateGenerator>();
        if (section.GetValue<bool>("Review:Enabled"))
        {
            services.AddSingleton<ICandidateReviewer, LlmReviewer>();
        }
    }

    /// <summary><c>HybridCache</c> over the storage provider's <see cref="IDistributedCache"/>, and the memory tier on
    /// the service's clock, so that both tiers expire entries by the same <see cref="TimeProvider"/>.</summary>
    private static void AddLlmResponseCacheStore(this IServiceCollection services)
    {
        services.AddHybridCache();
        services.AddOptions<MemoryCacheOptions>().Configure<TimeProvider>((o, time) => o.Clock ??= new TimeProviderClock(time));
    }

    /// <summary>The memory cache asks its clock for the time; this one asks the service's <see cref="TimeProvider"/>.</summary>
    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
