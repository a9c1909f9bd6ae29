using System.Globalization;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Routing;

/// <summary>Checks the routing settings at start and on every reload, naming each wrong key and what it must be.</summary>
internal sealed class RoutingOptionsValidator : IValidateOptions<RoutingOptions>
{
    public ValidateOptionsResult Validate(string? name, RoutingOptions options)
    {
        var errors = new List<string>();
        var enabled = options.Models.Where(m => m.Value is { Enabled: true }).ToList();
        foreach (var (key, model) in options.Models)
        {
            var prefix = $"Routing:Models:{key}";
            if (model is null)
            {
                errors.Add($"{prefix} is empty.");
                continue;
            }

            if (model.Provider is not (RoutingOptions.Anthropic or RoutingOptions.OpenAI or RoutingOptions.Local))
            {
                errors.Add($"{prefix}:Provider must be \"anthropic\", \"openai\" or \"local\" (is \"{model.Provider}\").");
            }

            if (string.IsNullOrWhiteSpace(model.Model))
            {
                errors.Add($"{prefix}:Model (the provider's model id) is required.");
            }

            if (model.InputUsdPerMillionTokens < 0 || model.OutputUsdPerMillionTokens < 0)
            {
                errors.Add($"{prefix}: prices cannot be negative.");
            }

            if (model.IsLocal && (model.InputUsdPerMillionTokens != 0 || model.OutputUsdPerMillionTokens != 0))
            {
                errors.Add($"{prefix}: the local model makes no call, so its prices must be 0.");
            }

            if (model.Quality is < 0 or > 1 || double.IsNaN(model.Quality))
            {
                errors.Add($"{prefix}:Quality must be between 0 and 1 (is {Format(model.Quality)}).");
            }

            if (model.ExpectedLatency < TimeSpan.Zero)
            {
                errors.Add($"{prefix}:ExpectedLatency cannot be negative.");
            }
        }

        var locals = enabled.Count(m => m.Value.IsLocal);
        if (locals != 1)
        {
            errors.Add($"Routing:Models needs exactly one enabled model with Provider \"local\" (has {locals}): it serves when no call is worth its price.");
        }

        Range(errors, "QualityFloor", options.QualityFloor, 0, 1);
        Range(errors, "ComplexityThreshold", options.ComplexityThreshold, 0, 1);
        if (options.PredictionCostThresholdUsd < 0)
        {
            errors.Add("Routing:PredictionCostThresholdUsd cannot be negative.");
        }

        if (options.ExpectedOutputTokens <= 0)
        {
            errors.Add("Routing:ExpectedOutputTokens must be positive.");
        }

        if (options.MonthlyBudgetUsd <= 0)
        {
            errors.Add("Routing:MonthlyBudgetUsd must be positive.");
        }

        if (options.DailyBudgetUsd is <= 0)
        {
            errors.Add("Routing:DailyBudgetUsd must be positive, or left out for no daily budget.");
        }

        if (options.AlertPercents.Any(p => p is <= 0 or > 1000 || double.IsNaN(p)))
        {
            errors.Add("Routing:AlertPercents are percentages of a budget, above 0 and at most 1000.");
        }

        Range(errors, "DegradePercent", options.DegradePercent, 0, 1000);
        Range(errors, "LocalOnlyPercent", options.LocalOnlyPercent, 0, 1000);
        if (options.DegradePercent > options.LocalOnlyPercent)
        {
            errors.Add($"Routing:DegradePercent ({Format(options.DegradePercent)}) cannot be above LocalOnlyPercent ({Format(options.LocalOnlyPercent)}).");
        }

        if (!string.IsNullOrWhiteSpace(options.AlertWebhookUrl)
            && !(Uri.TryCreate(options.AlertWebhookUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add("Routing:AlertWebhookUrl must be an absolute http or https URL.");
        }

        if (options.AlertWebhookTimeout <= TimeSpan.Zero)
        {
            errors.Add("Routing:AlertWebhookTimeout must be positive.");
        }

        if (options.AnomalyFactor <= 1 || double.IsNaN(options.AnomalyFactor))
        {
            errors.Add("Routing:AnomalyFactor must be above 1.");
        }

        if (options.AnomalyBaselineDays <= 0)
        {
            errors.Add("Routing:AnomalyBaselineDays must be positive.");
        }

        if (options.AnomalyMinimumUsd < 0)
        {
            errors.Add("Routing:AnomalyMinimumUsd cannot be negative.");
        }

        if (options.AnomalyCheckInterval < TimeSpan.Zero)
        {
            errors.Add("Routing:AnomalyCheckInterval cannot be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, double value, double min, double max)
    {
        if (value < min || value > max || double.IsNaN(value))
        {
            errors.Add($"Routing:{key} must be between {Format(min)} and {Format(max)} (is {Format(value)}).");
        }
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
