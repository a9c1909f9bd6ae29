using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Outcomes;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;
using OpenSesame.Predictor.Usage;

namespace OpenSesame.Api;

/// <summary>Operator routes under <c>/admin</c>: every one needs the <c>admin</c> role and counts against the rate limit.</summary>
internal static class AdminApi
{
    // Training metrics may be NaN (a calibration set without a positive); the contract's options would throw on them.
    private static readonly JsonSerializerOptions Json = new(ContractJson.Options)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin")
            .RequireAuthorization(AccessPolicy.Admin)
            .RequireUserRateLimit()
            .WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/model", GetModel)
            .WithName("AdminModel")
            .WithSummary("The ranker serving now and what it was trained on")
            .WithDescription("Which ranker answers predictions (a learned model version, or the heuristic while none is "
                             + "loaded), the version saved as current on disk (swapped in within the reload interval "
                             + "when it differs), the serving model's training metadata and measured quality, the "
                             + "challenger of an A/B comparison (Ranking:Challenger) when one serves, and each variant's "
                             + "online top-1/top-3/MRR over the recent window of outcomes (from the drift monitor's last round).")
            .Produces<ModelStatus>();
        admin.MapGet("/budget", GetBudget)
            .WithName("AdminBudget")
            .WithSummary("The spend budgets the router keeps to, and the levels at which it acts")
            .WithDescription("The monthly budget (Routing:MonthlyBudgetUsd) and the daily one (Routing:DailyBudgetUsd, "
                             + "null when none is set), in US dollars, and the percentages of a budget at which the "
                             + "router raises an alert, chooses one tier cheaper and serves only the local generator. "
                             + "The settings in force now (they change with the configuration, without a restart); what "
                             + "was spent against them is in GET /cost-analytics.")
            .Produces<BudgetSettings>();
        admin.MapGet("/drift", GetDriftAsync)
            .WithName("AdminDrift")
            .WithSummary("Online quality and feature drift, from the outcome log")
            .WithDescription("The drift monitor's last round (every Drift:Interval): online top-1/top-3/MRR per model "
                             + "version and per spec over the recent window (Drift:Window) against the window before, "
                             + "and each feature's population stability index between the two; `alert` marks a spec "
                             + "whose top-3 fell by Drift:Top3Drop or a feature past Drift:PsiAlert. `?refresh=true` "
                             + "measures now. 404 while monitoring is off or before its first round.")
            .Produces<OnlineReport>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/usage", ListUsageAsync)
            .WithName("AdminUsage")
            .WithSummary("The specs whose usage the service has learned")
            .WithDescription("Per spec (by content hash): how many steps of its users' sessions were counted and over "
                             + "how many distinct pairs of operations. Only operation pairs are kept, never values or users.")
            .Produces<UsageList>();
        admin.MapGet("/usage/{specHash}", GetUsageAsync)
            .WithName("AdminUsageOfSpec")
            .WithSummary("What the service learned of one spec's usage")
            .WithDescription($"The {MaxSteps} most frequent steps (`from` is null for a session's first call) and the {MaxContributors} callers who made the most of them.")
            .Produces<UsageOfSpec>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/usage/{specHash}", ForgetUsageAsync)
            .WithName("AdminForgetUsage")
            .WithSummary("Forget what was learned of one spec's usage")
            .WithDescription("Deletes the spec's counts from storage and memory; its predictions start again as for a "
                             + "spec nobody has used (after a stretch of bad traffic, or on request).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/retrain", RequestRetrainAsync)
            .WithName("AdminRetrain")
            .WithSummary("Ask for the ranker to be retrained from the logged outcomes")
            .WithDescription("Records a retraining request and answers 202 with its id at once; the service never trains. "
                             + "A worker process (`opensesame retrain --watch` on the same storage) claims it, trains a "
                             + "candidate on the synthetic corpus plus the logged outcomes, and promotes it only if it is "
                             + "not worse than the serving model on the newest held-out outcomes and the synthetic suite; "
                             + "the service swaps a promoted model in at its next reload. While a request waits, asking "
                             + "again answers with the waiting one.")
            .Produces<RetrainStatus>(StatusCodes.Status202Accepted);
        admin.MapGet("/retrain", ListRetrainsAsync)
            .WithName("AdminRetrains")
            .WithSummary("The newest retraining requests and how they ended")
            .Produces<RetrainList>();
        admin.MapGet("/retrain/{id}", GetRetrainAsync)
            .WithName("AdminRetrainStatus")
            .WithSummary("Where one retraining request stands")
            .WithDescription("`pending` (no worker has claimed it), `running`, `promoted` (its candidate is current), "
                             + "`refused` (saved, but the gate kept the serving model; `message` says why) or `failed`.")
            .Produces<RetrainStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private const int RecentRetrains = 20;

    // 202 with the request's status in the contract's JSON (snake_case), and its status route in Location.
    private static async Task<JsonHttpResult<RetrainStatus>> RequestRetrainAsync(HttpContext http, IRetrainRequests retrains,
        LinkGenerator links, TimeProvider time, CancellationToken cancellationToken)
    {
        var requestedBy = http.User.Identity?.Name is { Length: > 0 } owner ? owner : "anonymous";
        var request = await retrains.RequestAsync(RetrainTrigger.Request, requestedBy, time.GetUtcNow(), cancellationToken);
        http.Response.Headers.Location = links.GetPathByName(http, "AdminRetrainStatus", new { id = request.Id });
        return TypedResults.Json(RetrainStatus.Of(request), Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<JsonHttpResult<RetrainList>> ListRetrainsAsync(IRetrainRequests retrains, CancellationToken cancellationToken) =>
        TypedResults.Json(new RetrainList([.. (await retrains.RecentAsync(RecentRetrains, cancellationToken)).Select(RetrainStatus.Of)]), Json);

    private static async Task<Results<JsonHttpResult<RetrainStatus>, ProblemHttpResult>> GetRetrainAsync(
        string id, IRetrainRequests retrains, CancellationToken cancellationToken) =>
        await retrains.FindAsync(id, cancellationToken) is { } request
            ? TypedResults.Json(RetrainStatus.Of(request), Json)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such retraining request.",
                detail: $"No retraining request '{(id.Length > 80 ? id[..80] + "…" : id)}'; GET /admin/retrain lists the newest.");

    private const int MaxSteps = 100;

    private const int MaxContributors = 20;

    private static async Task<JsonHttpResult<UsageList>> ListUsageAsync(UsageLearning usage, CancellationToken cancellationToken) =>
        TypedResults.Json(new UsageList(await usage.ListAsync(cancellationToken)), Json);

    private static async Task<Results<JsonHttpResult<UsageOfSpec>, ProblemHttpResult>> GetUsageAsync(
        string specHash, UsageLearning usage, CancellationToken cancellationToken)
    {
        var steps = await usage.StepsAsync(specHash, MaxSteps, cancellationToken);
        return steps.Count == 0
            ? NothingLearned(specHash)
            : TypedResults.Json(new UsageOfSpec(specHash,
                [.. steps.Select(s => new UsageStep(s.From.Length == 0 ? null : s.From, s.To, s.Count))],
                await usage.ContributorsAsync(specHash, MaxContributors, cancellationToken)), Json);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ForgetUsageAsync(
        string specHash, UsageLearning usage, CancellationToken cancellationToken) =>
        await usage.ForgetAsync(specHash, cancellationToken) ? TypedResults.NoContent() : NothingLearned(specHash);

    private static ProblemHttpResult NothingLearned(string specHash) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Nothing learned of this spec.",
        detail: $"No usage is stored for spec '{(specHash.Length > 80 ? specHash[..80] + "…" : specHash)}'; GET /admin/usage lists the specs with usage.");

    private static JsonHttpResult<ModelStatus> GetModel(IRankerSource rankers, RankerModelStore store, OnlineMonitor monitor)
    {
        var model = rankers.CurrentModel;
        return TypedResults.Json(new ModelStatus(
            rankers.Current.Version,
            model is null ? "heuristic" : "learned",
            store.CurrentVersion(),
            model,
            rankers.Challenger?.Version,
            monitor.Latest?.Variants), Json);
    }

    private static JsonHttpResult<BudgetSettings> GetBudget(IOptionsMonitor<RoutingOptions> routing)
    {
        var options = routing.CurrentValue;
        return TypedResults.Json(new BudgetSettings(options.MonthlyBudgetUsd, options.DailyBudgetUsd,
            options.EffectiveAlertPercents, options.DegradePercent, options.LocalOnlyPercent), Json);
    }

    private static async Task<Results<JsonHttpResult<OnlineReport>, ProblemHttpResult>> GetDriftAsync(
        OnlineMonitor monitor, IOptions<DriftOptions> drift, IOptions<OutcomeOptions> outcomes, bool? refresh,
        CancellationToken cancellationToken)
    {
        if (!drift.Value.Enabled || !outcomes.Value.Enabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Drift is not monitored.",
                detail: "Drift:Enabled and Outcomes:Enabled must both be true for the outcome log to be measured.");
        }

        var report = refresh == true ? await monitor.MeasureAsync(cancellationToken) : monitor.Latest;
        return report is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not measured yet.",
                detail: $"The first round comes {drift.Value.Interval} after the start; GET /admin/drift?refresh=true measures now.")
            : TypedResults.Json(report, Json);
    }

    /// <param name="Serving">The <c>model_version</c> predictions report now.</param>
    /// <param name="Kind">"learned" or "heuristic".</param>
    /// <param name="Current">The version named current in the model directory (what <c>opensesame train</c> made); null
    /// when none was trained there, and the model shipped with the service (or the heuristic) serves.</param>
    /// <param name="Model">The serving model's metadata (data hash, seed, domains, calibration metrics); null for the heuristic.</param>
    /// <param name="Challenger">The version an A/B comparison serves to the users its feature targets; null when none.</param>
    /// <param name="Variants">Online quality per model version over the drift monitor's recent window; null before its
    /// first round.</param>
    internal sealed record ModelStatus(string Serving, string Kind, string? Current, RankerModelInfo? Model,
        string? Challenger, IReadOnlyList<VariantQuality>? Variants);

    /// <param name="MonthlyBudgetUsd">The spend allowed per calendar month (UTC).</param>
    /// <param name="DailyBudgetUsd">The spend allowed per calendar day (UTC); null when only the month is budgeted.</param>
    /// <param name="AlertPercents">The shares of a budget at which an alert is raised, lowest first.</param>
    /// <param name="DegradePercent">From this share of a budget on, the router chooses one tier cheaper.</param>
    /// <param name="LocalOnlyPercent">From this share of a budget on, only the local generator serves.</param>
    internal sealed record BudgetSettings(decimal MonthlyBudgetUsd, decimal? DailyBudgetUsd,
        IReadOnlyList<double> AlertPercents, double DegradePercent, double LocalOnlyPercent);

    internal sealed record UsageList(IReadOnlyList<UsageSpec> Specs);

    /// <param name="RequestId">The id to ask <c>GET /admin/retrain/{id}</c> about.</param>
    /// <param name="State">pending, running, promoted, refused or failed.</param>
    /// <param name="Trigger">request, command, schedule or outcomes.</param>
    /// <param name="Candidate">The model version the run trained, once finished.</param>
    /// <param name="Message">Why it was promoted, refused or failed, once finished.</param>
    internal sealed record RetrainStatus(
        string RequestId,
        string State,
        string Trigger,
        string RequestedBy,
        DateTimeOffset RequestedAt,
        string? Worker,
        DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt,
        string? Candidate,
        string? Message)
    {
        public static RetrainStatus Of(RetrainRequest request) => new(request.Id, RetrainNames.Of(request.State),
            RetrainNames.Of(request.Trigger), request.RequestedBy, request.RequestedAt, request.Worker, request.StartedAt,
            request.FinishedAt, request.Candidate, request.Message);
    }

    internal sealed record RetrainList(IReadOnlyList<RetrainStatus> Requests);

    /// <param name="Contributors">The callers who made the most steps (a kind, "tenant", "address" or "local", and a
    /// digest), with their share of all steps: one caller far ahead of the rest is worth a look.</param>
    internal sealed record UsageOfSpec(string SpecHash, IReadOnlyList<UsageStep> Steps, IReadOnlyList<UsageContributor> Contributors);

    /// <param name="From">The operation called before, "METHOD /template"; null for a session's first call.</param>
    internal sealed record UsageStep(string? From, string To, double Count);
}
