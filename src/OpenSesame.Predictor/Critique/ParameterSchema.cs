using System.Globalization;
using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Whether a proposed value is one the parameter's schema accepts (type, enum), and in which form to send it. Values
/// a query string would carry as text ("50" for an integer, "true" for a boolean) are accepted and sent typed; a value
/// of the wrong kind is refused rather than guessed at.
/// </summary>
internal static class ParameterSchema
{
    /// <summary>The value as it should be sent: a string, or a <see cref="JsonElement"/> for any other JSON kind.</summary>
    public static bool TryConform(ApiParameter? parameter, JsonElement value, out object? conformed)
    {
        conformed = null;
        if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return false;
        }

        if (parameter?.Enum is { Count: > 0 } allowed)
        {
            var text = ScalarText(value);
            var hit = text is null ? null
                : allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.Ordinal))
                  ?? allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
            if (hit is null)
            {
                return false;
            }

            // The spec's spelling of the value ("paid", not "PAID").
            if (value.ValueKind == JsonValueKind.String)
            {
                value = JsonSerializer.SerializeToElement(hit);
            }
        }

        var types = parameter?.Type?.Split('|', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (types.Length == 0)
        {
            conformed = AsSent(value);
            return true;
        }

        // The value's own kind first: "42" for an "integer|string" parameter stays the string it was.
        foreach (var coerce in (ReadOnlySpan<bool>)[false, true])
        {
            foreach (var type in types)
            {
                if (TryAs(type, value, coerce, out conformed))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryAs(string type, JsonElement value, bool coerce, out object? conformed)
    {
        conformed = null;
        var kind = value.ValueKind;
        var text = kind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        switch (type)
        {
            case "string" when kind == JsonValueKind.String:
                conformed = value.GetString();
                return true;
            case "string" when coerce && kind == JsonValueKind.Number:
                conformed = value.GetRawText();
                return true;
            case "integer" when kind == JsonValueKind.Number && value.TryGetDecimal(out var number) && number == decimal.Truncate(number):
                conformed = value.Clone();
                return true;
            case "integer" when coerce && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                conformed = JsonSerializer.SerializeToElement(integer);
                return true;
            case "number" when kind == JsonValueKind.Number:
                conformed = value.Clone();
                return true;
            case "number" when coerce && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                conformed = JsonSerializer.SerializeToElement(parsed);
                return true;
            case "boolean" when kind is JsonValueKind.True or JsonValueKind.False:
                conformed = value.Clone();
                return true;
            case "boolean" when coerce && bool.TryParse(text, out var flag):
                conformed = JsonSerializer.SerializeToElement(flag);
                return true;
            case "array" when kind == JsonValueKind.Array:
            case "object" when kind == JsonValueKind.Object:
                conformed = value.Clone();
                return true;
            default:
                return false;
        }
    }

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static object? AsSent(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : value.Clone();
}
