using System.CommandLine;
using System.Globalization;
using OpenSesame.Predictor.Guardrails.Privacy;
using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary>
/// <c>opensesame pii-eval [--corpus file.jsonl] [--min-precision 0.98] [--min-recall 0.95] [--mistakes]</c>:
/// per-category precision and recall of the PII detector on the labelled corpus; exits 1 below the targets.
/// </summary>
internal static class PiiEvalCommand
{
    /// <summary>The corpus the tests own, from the repository root.</summary>
    public const string DefaultCorpus = "tests/OpenSesame.Predictor.Tests/Guardrails/pii-corpus.jsonl";

    public static Command Create()
    {
        var corpus = new Option<string>("--corpus") { Description = "Labelled corpus (JSON lines).", DefaultValueFactory = _ => DefaultCorpus };
        var minPrecision = new Option<double>("--min-precision") { Description = "Lowest acceptable precision of any category.", DefaultValueFactory = _ => 0.98 };
        var minRecall = new Option<double>("--min-recall") { Description = "Lowest acceptable recall of any category.", DefaultValueFactory = _ => 0.95 };
        var mistakes = new Option<bool>("--mistakes") { Description = "List every missed span and false positive with its line." };

        var command = new Command("pii-eval", "Measure the PII detector on a labelled corpus.") { corpus, minPrecision, minRecall, mistakes };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(corpus)!;
            List<PiiCorpusLine> lines;
            try
            {
                lines = PiiCorpus.Load(path);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"--corpus: {ex.Message}");
                return 2;
            }

            var result = PiiCorpus.Evaluate(lines);
            var precisionTarget = parse.GetValue(minPrecision);
            var recallTarget = parse.GetValue(minRecall);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(path)}[/]: {result.Lines} lines, "
                                   + $"{lines.Count(l => l.Spans.Count == 0)} without personal data");
            var table = new Table().AddColumns("category", "labelled", "detected", "true pos.", "precision", "recall", "");
            foreach (var s in result.Scores)
            {
                var ok = s.Precision >= precisionTarget && s.Recall >= recallTarget;
                table.AddRow(s.Category.Name(), N(s.Labelled), N(s.Detected), N(s.TruePositives), F(s.Precision), F(s.Recall),
                    ok ? "ok" : "[red]below target[/]");
            }

            AnsiConsole.Write(table);
            if (parse.GetValue(mistakes))
            {
                foreach (var m in result.Mistakes)
                {
                    Console.WriteLine($"line {m.Line}: {m.Kind} {m.Category.Name()} '{m.Value}' in: {m.Text}");
                }
            }

            var meets = result.Meets(precisionTarget, recallTarget);
            Console.WriteLine(meets
                ? $"every category has precision >= {F(precisionTarget)} and recall >= {F(recallTarget)}"
                : $"below target (precision >= {F(precisionTarget)}, recall >= {F(recallTarget)}); run with --mistakes to see why");
            return meets ? 0 : 1;
        });
        return command;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
