using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Compliance.Redaction;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>
/// <see cref="IPiiRedactor"/> on <c>Microsoft.Extensions.Compliance.Redaction</c>: <see cref="PiiDetector"/> says
/// where and what, and the <see cref="Redactor"/> registered for that category's data classification says what to
/// write instead (by default its placeholder; a host may register an HMAC or erasing redactor per category).
/// </summary>
internal sealed class PiiRedactor : IPiiRedactor
{
    /// <summary>What a text becomes when it cannot be scanned in time: nothing of it leaves.</summary>
    internal const string Unscannable = "[REDACTED]";

    private readonly Redactor[] _redactors;

    public PiiRedactor(IRedactorProvider redactors) =>
        _redactors = [.. PiiCategories.All.Select(c => redactors.GetRedactor(c.Classification()))];

    public RedactedText RedactText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = 0;
        var redacted = Redact(text, PiiFieldHint.None, ref found);
        return new RedactedText(redacted, Categories(found));
    }

    public RedactedParams RedactParams(IReadOnlyDictionary<string, JsonElement> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var found = 0;
        var copy = new Dictionary<string, JsonElement>(parameters.Count, StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (name, value) in parameters)
        {
            buffer.ResetWrittenCount();
            var changed = false;
            using (var writer = new Utf8JsonWriter(buffer))
            {
                Write(writer, value, name, ref found, ref changed);
            }

            if (!changed)
            {
                copy[name] = value;
                continue;
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            copy[name] = document.RootElement.Clone();
        }

        return new RedactedParams(copy, Categories(found));
    }

    private void Write(Utf8JsonWriter writer, JsonElement element, string? field, ref int found, ref bool changed)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, property.Name, ref found, ref changed);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, field, ref found, ref changed);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var text = element.GetString()!;
                var redacted = Redact(text, PiiDetector.HintFor(field), ref found);
                changed |= !ReferenceEquals(redacted, text);
                writer.WriteStringValue(redacted);
                break;
            case JsonValueKind.Number:
                // A card or phone number sent as a JSON number; its redacted form is a string.
                var raw = element.GetRawText();
                var number = Redact(raw, PiiDetector.HintFor(field), ref found);
                if (ReferenceEquals(number, raw))
                {
                    element.WriteTo(writer);
                }
                else
                {
                    changed = true;
                    writer.WriteStringValue(number);
                }

                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    // Returns the same instance when nothing was found, so callers can tell cheaply.
    private string Redact(string text, PiiFieldHint hint, ref int found)
    {
        List<PiiMatch> matches;
        try
        {
            matches = PiiDetector.Detect(text, hint);
        }
        catch (RegexMatchTimeoutException)
        {
            return Unscannable;
        }

        if (matches.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var last = 0;
        foreach (var m in matches)
        {
            builder.Append(text, last, m.Start - last)
                .AppendRedacted(_redactors[(int)m.Category], text.AsSpan(m.Start, m.Length));
            last = m.End;
            found |= 1 << (int)m.Category;
        }

        return builder.Append(text, last, text.Length - last).ToString();
    }

    private static PiiCategory[] Categories(int found) =>
        [.. PiiCategories.All.Where(c => (found & (1 << (int)c)) != 0)];
}
