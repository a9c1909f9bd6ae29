using System.Text.Json;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Every value the user showed us in this request: the params of each event (nested ones too), the segments of its
/// path, and the prompt's words. A generator's id counts only if it is among them: a model may repeat an id, never
/// coin one.
/// </summary>
internal sealed class SeenValues
{
    private readonly HashSet<string> _history = new(StringComparer.Ordinal);
    private readonly string? _prompt;

    public SeenValues(PredictionContext context)
    {
        _prompt = context.Prompt;
        foreach (var resolved in context.History)
        {
            foreach (var value in resolved.Match.PathValues.Values)
            {
                _history.Add(value);
            }

            // Segments the matcher could not place may still be ids; the words of the spec path it found are not.
            var words = new HashSet<string>(resolved.Match.Shape?.Segments ?? [], StringComparer.OrdinalIgnoreCase);
            words.UnionWith(context.Catalog.Matcher.BasePaths.Usual.SelectMany(PathShape.SplitPath));
            foreach (var segment in PathShape.SplitPath(PathRules.NormalizePath(resolved.Event.Path)))
            {
                if (!PathShape.IsParameter(segment) && !words.Contains(segment))
                {
                    _history.Add(Uri.UnescapeDataString(segment));
                }
            }

            foreach (var value in resolved.Event.Params.Values)
            {
                AddScalars(value);
            }
        }
    }

    public bool Contains(string value) => value.Length > 0 && (_history.Contains(value) || InPrompt(value));

    // As a whole token: "in_12" is not in "in_123".
    private bool InPrompt(string value)
    {
        if (_prompt is null)
        {
            return false;
        }

        for (var at = _prompt.IndexOf(value, StringComparison.Ordinal); at >= 0;
             at = _prompt.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            var end = at + value.Length;
            if ((at == 0 || !IsIdChar(_prompt[at - 1])) && (end == _prompt.Length || !IsIdChar(_prompt[end])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsIdChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-';

    private void AddScalars(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                _history.Add(value.GetString()!);
                break;
            case JsonValueKind.Number:
                _history.Add(value.GetRawText());
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    AddScalars(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    AddScalars(property.Value);
                }

                break;
        }
    }
}
