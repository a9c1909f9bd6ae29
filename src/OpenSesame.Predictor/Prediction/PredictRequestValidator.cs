using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Prediction;

/// <summary>
/// Checks a <c>POST /predict</c> body field by field. Every problem is reported under the name of the field that
/// has it ("events[2].endpoint"), all at once, so a client fixes its request in one round trip. Text that passes is
/// cleaned: Unicode-normalised (NFC) with control characters removed, so look-alike spellings and terminal escapes
/// reach neither the models nor the logs. The prompt and events are also inspected for instructions aimed at a model
/// (<see cref="InjectionDetector"/>): the verdict travels with the request, and under <see cref="InjectionAction.Reject"/>
/// each flagged field is a problem (named, never quoted).
/// </summary>
public static partial class PredictRequestValidator
{
    /// <summary>Longest <c>user_id</c> or <c>session_id</c>, in characters.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The title of a refusal for the request's fields.</summary>
    public const string InvalidFieldsTitle = "The request has invalid fields.";

    // The messages of the length limits, shared with PredictBodyScanner, which finds the same problems in the raw JSON.
    internal static readonly string IdTooLong = $"At most {MaxIdLength} characters.";

    internal static string PromptTooLong(long length, PredictionOptions options) =>
        $"The prompt is {length} characters long; at most {options.MaxPromptLength} are accepted (Prediction:MaxPromptLength).";

    internal static string TooManyEvents(long count, PredictionOptions options) =>
        $"At most {options.MaxEvents} events are accepted (Prediction:MaxEvents); {count} were sent. Send the most recent ones.";

    internal static string EndpointTooLong(long length, PredictionOptions options) =>
        $"The endpoint is {length} characters long; at most {options.MaxEndpointLength} are accepted (Prediction:MaxEndpointLength).";

    public static IDictionary<string, string[]> Validate(PredictRequest? body, PredictionOptions options,
        InjectionDetector injection, out PredictionRequest? request)
    {
        request = null;
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Fail(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (body is null)
        {
            Fail("body", "A JSON object is required.");
            return Flatten(errors);
        }

        var k = body.K ?? options.DefaultK;
        if (k < 1 || k > options.MaxK)
        {
            Fail("k", $"k must be between 1 and {options.MaxK}; it was {k}.");
        }

        var prompt = Clean(body.Prompt);
        if (prompt is { Length: var length } && length > options.MaxPromptLength)
        {
            Fail("prompt", PromptTooLong(length, options));
        }

        if (body.MaxCostUsd is < 0)
        {
            Fail("max_cost_usd", $"max_cost_usd is the most a prediction may spend on language models, in US dollars; it cannot be negative (it was {body.MaxCostUsd.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        CheckId(body.UserId, "user_id", Fail);
        CheckId(body.SessionId, "session_id", Fail);
        var events = ValidateEvents(body.Events, options, Fail);
        var spec = SpecSourceOf(body.SpecUrl, body.Spec, Fail);
        var verdict = injection.Inspect(body.Prompt, (body.Events ?? []).Take(options.MaxEvents)
            .Select(e => (e?.Endpoint, (IReadOnlyDictionary<string, JsonElement>?)e?.Params)));
        if (verdict.Flagged && injection.Action == InjectionAction.Reject)
        {
            foreach (var finding in verdict.Findings)
            {
                Fail(finding.Field, $"This reads as instructions to a language model ({string.Join(", ", finding.Rules)}); "
                                    + "such requests are refused here. Send the content without them.");
            }
        }

        if (errors.Count == 0)
        {
            request = new PredictionRequest(body.UserId, body.SessionId, events, prompt, spec!, k)
            {
                Injection = verdict,
                MaxCostUsd = body.MaxCostUsd,
            };
        }

        return Flatten(errors);
    }

    private static List<HistoryEvent> ValidateEvents(List<EventBody?>? events, PredictionOptions options,
        Action<string, string> fail)
    {
        var history = new List<HistoryEvent>();
        if (events is null)
        {
            return history;
        }

        if (events.Count > options.MaxEvents)
        {
            fail("events", TooManyEvents(events.Count, options));
            return history;
        }

        for (var i = 0; i < events.Count; i++)
        {
            var field = $"events[{i}]";
            if (events[i] is not { } item)
            {
                fail(field, "An event must be an object with an 'endpoint'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(item.Endpoint))
            {
                fail($"{field}.endpoint", "The endpoint is required, as \"METHOD /path\", e.g. \"GET /v1/invoices\".");
                continue;
            }

            if (item.Endpoint.Length > options.MaxEndpointLength)
            {
                fail($"{field}.endpoint", EndpointTooLong(item.Endpoint.Length, options));
                continue;
            }

            if (HistoryEvent.ParseEndpoint(Clean(item.Endpoint)!) is not { } parsed)
            {
                fail($"{field}.endpoint", $"{Echo(Clean(item.Endpoint)!)} is not \"METHOD /path\" (e.g. \"PUT /invoices/123/status\").");
                continue;
            }

            if (item.Params is { } parameters && !ParamsWithinLimits(parameters, options, $"{field}.params", fail))
            {
                continue;
            }

            history.Add(new HistoryEvent(item.Ts, parsed.Method, parsed.Path,
                (IReadOnlyDictionary<string, JsonElement>?)item.Params ?? HistoryEvent.NoParams));
        }

        return history;
    }

    /// <summary>The spec a body names by <c>spec_url</c> or gives inline as <c>spec</c> (exactly one of them), or null
    /// after telling <paramref name="fail"/> what is wrong with them. Shared with routes that take a spec alone.</summary>
    public static SpecSource? SpecSourceOf(string? specUrl, InlineSpec? spec, Action<string, string> fail)
    {
        var hasUrl = !string.IsNullOrWhiteSpace(specUrl);
        var hasInline = spec is not null;
        if (hasUrl == hasInline)
        {
            fail(hasUrl ? "spec" : "spec_url", hasUrl
                ? "Send either 'spec_url' or 'spec', not both."
                : "A spec is required: 'spec_url' (http(s) URL or a path inside the spec folders) or 'spec' (the document).");
            return null;
        }

        if (hasUrl)
        {
            var source = SpecSource.FromLocation(specUrl!, out var error);
            if (source is null)
            {
                fail("spec_url", error!);
            }

            return source;
        }

        if (spec!.Form == InlineSpecForm.NotADocument || spec.IsBlank)
        {
            fail("spec", "The inline spec must be an OpenAPI document: a JSON object, or its JSON/YAML text as a string.");
            return null;
        }

        return SpecSource.Inline(spec);
    }

    private static void CheckId(string? value, string field, Action<string, string> fail)
    {
        if (value is { Length: > MaxIdLength })
        {
            fail(field, IdTooLong);
        }
        else if (value is not null && !SafeId().IsMatch(value))
        {
            fail(field, "Only letters, digits and . _ : @ - are accepted.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:@-]+$")]
    private static partial Regex SafeId();

    private static bool ParamsWithinLimits(Dictionary<string, JsonElement> parameters, PredictionOptions options,
        string field, Action<string, string> fail)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(parameters).Length;
        if (bytes > options.MaxParamsBytes)
        {
            fail(field, $"The params are {bytes} bytes of JSON; at most {options.MaxParamsBytes} are accepted per event.");
            return false;
        }

        var depth = 1 + parameters.Values.Select(DepthOf).DefaultIfEmpty(0).Max();
        if (depth > options.MaxParamsDepth)
        {
            fail(field, $"The params nest {depth} levels deep; at most {options.MaxParamsDepth} are accepted.");
            return false;
        }

        return true;
    }

    private static int DepthOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => 1 + value.EnumerateObject().Select(p => DepthOf(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + value.EnumerateArray().Select(DepthOf).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    /// <summary>NFC-normalised text without control characters (line breaks and tabs stay).</summary>
    public static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var normalized = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        if (!normalized.Any(IsStripped))
        {
            return normalized;
        }

        var builder = new StringBuilder(normalized.Length);
        foreach (var c in normalized.Where(c => !IsStripped(c)))
        {
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static bool IsStripped(char c) => char.IsControl(c) && c is not ('\n' or '\t');

    // The client sees what it sent, unless that holds personal data: error bodies end up in client and proxy logs.
    private static string Echo(string text) =>
        PiiDetector.Detect(text).Count > 0 ? "The value" : $"'{(text.Length <= 80 ? text : text[..80] + "…")}'";

    private static Dictionary<string, string[]> Flatten(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
