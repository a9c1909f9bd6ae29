using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>One labelled line: a text, the personal data in it, and for texts without any, the look-alike family
/// they test ("versions", "card-like", ...).</summary>
internal sealed record PiiCorpusLine(int Number, string Text, IReadOnlyList<PiiCorpusSpan> Spans, string? Family);

internal sealed record PiiCorpusSpan(PiiCategory Category, string Value);

/// <summary>Span-level scores of one category: a detected span is a true positive when a labelled span of the same
/// line has its category and value (each labelled span matches once).</summary>
internal sealed record PiiCategoryScore(PiiCategory Category, int Labelled, int Detected, int TruePositives)
{
    /// <summary>1 when nothing was detected: no false positives.</summary>
    public double Precision => Detected == 0 ? 1 : (double)TruePositives / Detected;

    /// <summary>1 when nothing is labelled: nothing was missed.</summary>
    public double Recall => Labelled == 0 ? 1 : (double)TruePositives / Labelled;
}

/// <summary>A labelled span the detector missed, or a detection no label backs.</summary>
internal sealed record PiiCorpusMistake(int Line, string Kind, PiiCategory Category, string Value, string Text);

internal sealed record PiiCorpusEvaluation(int Lines, IReadOnlyList<PiiCategoryScore> Scores, IReadOnlyList<PiiCorpusMistake> Mistakes)
{
    public bool Meets(double minPrecision, double minRecall) =>
        Scores.All(s => s.Precision >= minPrecision && s.Recall >= minRecall);
}

/// <summary>Reads the labelled corpus (JSON lines of <c>{"text", "spans": [{"category", "value"}], "family"?}</c>)
/// and measures the detector on it.</summary>
internal static class PiiCorpus
{
    public static List<PiiCorpusLine> Load(string path)
    {
        var lines = new List<PiiCorpusLine>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            var row = JsonSerializer.Deserialize<Row>(raw)
                      ?? throw new InvalidDataException($"{path}:{number}: not a JSON object.");
            var spans = new List<PiiCorpusSpan>();
            foreach (var span in row.Spans ?? [])
            {
                if (!PiiCategories.TryParse(span.Category ?? "", out var category) || string.IsNullOrEmpty(span.Value))
                {
                    throw new InvalidDataException($"{path}:{number}: unknown category '{span.Category}' or empty value.");
                }

                if (!row.Text!.Contains(span.Value, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{path}:{number}: the value of a '{span.Category}' span is not in the text.");
                }

                spans.Add(new PiiCorpusSpan(category, span.Value));
            }

            lines.Add(new PiiCorpusLine(number, row.Text ?? throw new InvalidDataException($"{path}:{number}: no text."),
                spans, row.Family));
        }

        return lines;
    }

    public static PiiCorpusEvaluation Evaluate(IReadOnlyList<PiiCorpusLine> lines)
    {
        var labelled = new int[PiiCategories.All.Count];
        var detected = new int[labelled.Length];
        var hits = new int[labelled.Length];
        var mistakes = new List<PiiCorpusMistake>();
        foreach (var line in lines)
        {
            var open = line.Spans.ToList();
            foreach (var span in line.Spans)
            {
                labelled[(int)span.Category]++;
            }

            foreach (var match in PiiDetector.Detect(line.Text))
            {
                var value = line.Text.Substring(match.Start, match.Length);
                detected[(int)match.Category]++;
                var index = open.FindIndex(s => s.Category == match.Category && s.Value == value);
                if (index >= 0)
                {
                    hits[(int)match.Category]++;
                    open.RemoveAt(index);
                }
                else
                {
                    mistakes.Add(new PiiCorpusMistake(line.Number, "false positive", match.Category, value, line.Text));
                }
            }

            mistakes.AddRange(open.Select(s => new PiiCorpusMistake(line.Number, "missed", s.Category, s.Value, line.Text)));
        }

        var scores = PiiCategories.All
            .Select(c => new PiiCategoryScore(c, labelled[(int)c], detected[(int)c], hits[(int)c]))
            .ToList();
        return new PiiCorpusEvaluation(lines.Count, scores, mistakes);
    }

    private sealed class Row
    {
        [JsonPropertyName("text")]
        public string? Text { get; set; }

        [JsonPropertyName("spans")]
        public List<SpanRow>? Spans { get; set; }

        [JsonPropertyName("family")]
        public string? Family { get; set; }
    }

    private sealed class SpanRow
    {
        [JsonPropertyName("category")]
        public string? Category { get; set; }

        [JsonPropertyName("value")]
        public string? Value { get; set; }
    }
}
