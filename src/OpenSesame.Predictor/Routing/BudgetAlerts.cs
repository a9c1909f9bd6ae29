using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;

namespace OpenSesame.Predictor.Routing;

/// <summary>An alert about spend, as logged and as POSTed to the webhook (snake_case JSON).</summary>
/// <param name="Kind">"budget" (a level of a budget reached) or "anomaly" (the last hour spent far above the usual).</param>
/// <param name="Budget">"monthly", "daily", or "hourly" for an anomaly.</param>
/// <param name="LevelPercent">The level reached, in percent of the budget; null for an anomaly.</param>
/// <param name="Period">The budget period ("2026-03", "2026-03-14"), or for an anomaly the hour it ends in
/// ("2026-03-14T13").</param>
/// <param name="SpendUsd">Spent in the period (an anomaly: in the last hour).</param>
/// <param name="LimitUsd">The budget (an anomaly: the factor times the trailing hourly average).</param>
public sealed record BudgetAlert(string Kind, string Budget, double? LevelPercent, string Period, decimal SpendUsd,
    decimal LimitUsd, DateTimeOffset At, string Message);

/// <summary>
/// Raises the budget alerts: each level of <see cref="RoutingOptions.EffectiveAlertPercents"/> of each budget once
/// per period (a level already passed when the process started was announced by the process that passed it), and
/// the anomaly alert when the last hour spent more than <see cref="RoutingOptions.AnomalyFactor"/> times the hourly
/// average of the days before, at most once an hour. Each alert is a log event, a count on
/// <c>opensesame.budget.alerts</c> and, when <see cref="RoutingOptions.AlertWebhookUrl"/> is set, a POST that runs
/// in the background: a slow or failing webhook is logged and never delays or fails a prediction.
/// </summary>
internal sealed partial class BudgetAlerts(
    RoutingSettings settings,
    BudgetTracker budget,
    ICostLedger ledger,
    RoutingMetrics metrics,
    IHttpClientFactory http,
    TimeProvider time,
    ILogger<BudgetAlerts> logger)
{
    public const string HttpClientName = "OpenSesame.BudgetAlerts";

    // The service's wire style (snake_case), which a webhook receiver also reads in the service's other answers.
    private static readonly System.Text.Json.JsonSerializerOptions WebhookJson =
        new(System.Text.Json.JsonSerializerDefaults.Web) { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    private readonly Lock _gate = new();
    private readonly HashSet<string> _raised = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _deliveries = new();
    private DateTimeOffset _lastAnomalyCheck = DateTimeOffset.MinValue;
    private DateTimeOffset _lastAnomaly = DateTimeOffset.MinValue;

    /// <summary>Looks at the spend now and raises what is due; returns the alerts raised. Never throws for a ledger
    /// or webhook failure.</summary>
    public async Task<IReadOnlyList<BudgetAlert>> CheckAsync(CancellationToken cancellationToken)
    {
        var options = settings.Current;
        var spend = budget.Snapshot();
        var raised = new List<BudgetAlert>();
        CheckBudget(raised, options, "monthly", options.MonthlyBudgetUsd, spend.MonthUsd, spend.MonthAtStartUsd,
            CostPeriods.MonthKey(spend.At), spend.At);
        if (options.DailyBudgetUsd is { } daily)
        {
            CheckBudget(raised, options, "daily", daily, spend.TodayUsd, spend.TodayAtStartUsd, CostPeriods.DayKey(spend.At),
                spend.At);
        }

        if (await CheckAnomalyAsync(options, spend.At, cancellationToken) is { } anomaly)
        {
            raised.Add(anomaly);
        }

        foreach (var alert in raised)
        {
            Raise(alert, options);
        }

        return raised;
    }

    /// <summary>Waits for the webhook deliveries under way (tests; an orderly shutdown).</summary>
    public Task DeliveredAsync() => Task.WhenAll(_deliveries.Keys);

    private void CheckBudget(List<BudgetAlert> raised, RoutingOptions options, string name, decimal limit, decimal spent,
        decimal spentAtStart, string period, DateTimeOffset now)
    {
        var percent = (double)(spent / limit) * 100;
        var percentAtStart = (double)(spentAtStart / limit) * 100;
        foreach (var level in options.EffectiveAlertPercents)
        {
            if (percent < level)
            {
                break;
            }

            bool first;
            lock (_gate)
            {
                first = _raised.Add($"{name}:{period}:{level.ToString(CultureInfo.InvariantCulture)}");
            }

            if (first && percentAtStart < level)
            {
                raised.Add(new BudgetAlert("budget", name, level, period, spent, limit, now,
                    $"The {name} budget {period} is {percent.ToString("0.#", CultureInfo.InvariantCulture)} % spent " +
                    $"(${spent.ToString("0.######", CultureInfo.InvariantCulture)} of ${limit.ToString("0.##", CultureInfo.InvariantCulture)}), " +
                    $"past the {level.ToString(CultureInfo.InvariantCulture)} % alert level."));
            }
        }
    }

    private async Task<BudgetAlert?> CheckAnomalyAsync(RoutingOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (now - _lastAnomalyCheck < options.AnomalyCheckInterval || now - _lastAnomaly < TimeSpan.FromHours(1))
            {
                return null;
            }

            _lastAnomalyCheck = now;
        }

        decimal lastHour, average;
        try
        {
            lastHour = await ledger.LastHourSpendAsync(now, cancellationToken);
            average = await ledger.TrailingHourlyAverageAsync(now, options.AnomalyBaselineDays, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAnomalyCheckFailed(ex);
            return null;
        }

        var limit = (decimal)options.AnomalyFactor * average;
        if (lastHour < options.AnomalyMinimumUsd || lastHour <= limit)
        {
            return null;
        }

        lock (_gate)
        {
            if (now - _lastAnomaly < TimeSpan.FromHours(1))
            {
                return null;
            }

            _lastAnomaly = now;
        }

        return new BudgetAlert("anomaly", "hourly", null, now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture),
            lastHour, limit, now,
            $"The last hour spent ${lastHour.ToString("0.######", CultureInfo.InvariantCulture)}, more than " +
            $"{options.AnomalyFactor.ToString(CultureInfo.InvariantCulture)} × the hourly average of the {options.AnomalyBaselineDays} days before " +
            $"(${average.ToString("0.######", CultureInfo.InvariantCulture)}).");
    }

    private void Raise(BudgetAlert alert, RoutingOptions options)
    {
        var level = alert.LevelPercent is { } percent ? percent.ToString(CultureInfo.InvariantCulture) : "anomaly";
        LogAlert(alert.LevelPercent >= 100 ? LogLevel.Error : LogLevel.Warning, alert.Kind, alert.Budget, level, alert.Period,
            alert.SpendUsd, alert.LimitUsd, alert.Message);
        metrics.Alerts.Add(1, new("budget", alert.Budget), new("level", level));
        if (string.IsNullOrWhiteSpace(options.AlertWebhookUrl))
        {
            return;
        }

        var delivery = DeliverAsync(alert, new Uri(options.AlertWebhookUrl), options.AlertWebhookTimeout);
        _deliveries.TryAdd(delivery, true);
        _ = delivery.ContinueWith(done => _deliveries.TryRemove(done, out _), TaskScheduler.Default);
    }

    private async Task DeliverAsync(BudgetAlert alert, Uri url, TimeSpan timeout)
    {
        // Off the caller's path: the recording that raised the alert has returned already.
        await Task.Yield();
        try
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            using var response = await http.CreateClient(HttpClientName)
                .PostAsJsonAsync(url, alert, WebhookJson, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogWebhookRejected(alert.Kind, alert.Budget, (int)response.StatusCode);
            }
        }
        catch (Exception ex)
        {
            LogWebhookFailed(ex, alert.Kind, alert.Budget);
        }
    }

    [LoggerMessage(EventId = 7001, EventName = "BudgetAlert",
        Message = "Budget alert ({Kind}, {Budget}, level {AlertLevel}, period {Period}): spent {SpendUsd} USD, limit {LimitUsd} USD. {Text}")]
    private partial void LogAlert(LogLevel level, string kind, string budget, string alertLevel, string period, decimal spendUsd,
        decimal limitUsd, string text);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "The budget alert webhook answered {Status} to a {Kind} ({Budget}) alert")]
    private partial void LogWebhookRejected(string kind, string budget, int status);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "The budget alert webhook could not be reached for a {Kind} ({Budget}) alert")]
    private partial void LogWebhookFailed(Exception exception, string kind, string budget);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "The spend anomaly check could not read the cost ledger")]
    private partial void LogAnomalyCheckFailed(Exception exception);
}
