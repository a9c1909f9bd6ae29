using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// Refuses a request that carries a category configured <see cref="PiiAction.Reject"/>: every field with such data is
/// named with the categories found in it, never with the value. Looks at the ids, the prompt, and each event's
/// endpoint and parameters (nested ones by their path); not at an inline spec, whose examples are the API's own.
/// With every category on <see cref="PiiAction.Redact"/> (the default) it does nothing.
/// </summary>
public sealed class PiiRequestGuard(IOptions<PrivacyOptions> options)
{
    public IDictionary<string, string[]> Check(PredictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var privacy = options.Value;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!PiiCategories.All.Any(c => privacy.ActionFor(c) == PiiAction.Reject))
        {
            return errors;
        }

        void Scan(string field, string? text, PiiFieldHint hint)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            List<PiiMatch> matches;
            try
            {
                matches = PiiDetector.Detect(text, hint);
            }
            catch (RegexMatchTimeoutException)
            {
                errors[field] = ["The value could not be checked for personal data in time; send a shorter one."];
                return;
            }

            var refused = matches.Select(m => m.Category).Where(c => privacy.ActionFor(c) == PiiAction.Reject)
                .Distinct().Order().Select(Reason).ToArray();
            if (refused.Length > 0)
            {
                errors[field] = refused;
            }
        }

        Scan("user_id", request.UserId, PiiFieldHint.None);
        Scan("session_id", request.SessionId, PiiFieldHint.None);
        Scan("prompt", request.Prompt, PiiFieldHint.None);
        for (var i = 0; i < request.Events.Count; i++)
        {
            var item = request.Events[i];
            Scan($"events[{i}].endpoint", item.Path, PiiFieldHint.None);
            foreach (var (name, value) in item.Params)
            {
                PiiJson.VisitScalars(value, $"events[{i}].params.{name}", name, Scan);
            }
        }

        return errors;
    }

    private static string Reason(PiiCategory category) =>
        $"Contains {category.Describe()} (category '{category.Name()}'), which this service is configured to refuse "
        + $"(Guardrails:Privacy:{category}=Reject). Remove it or replace it with a placeholder.";
}
