using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;
using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary><c>opensesame predict --spec &lt;file|url&gt; [--events file.json] [--prompt "..."] [-k 5] [--max-cost-usd 0.001] [--json]</c></summary>
internal static class PredictCommand
{
    /// <param name="startHost">Starts the services; the CLI's own by default (tests start theirs, with a temporary data
    /// directory).</param>
    public static Command Create(Func<CancellationToken, Task<StartedHost>>? startHost = null)
    {
        var spec = new Option<string>("--spec") { Description = "OpenAPI spec: a local file (JSON or YAML) or an http(s) URL.", Required = true };
        var events = new Option<FileInfo?>("--events") { Description = "JSON file with the recent calls: an array of {\"ts\", \"endpoint\", \"params\"}, or a /predict request body." };
        var prompt = new Option<string?>("--prompt") { Description = "What the user said they want to do." };
        var k = new Option<int?>("-k", "--k") { Description = "How many predictions (1-20, default 5)." };
        var maxCost = new Option<decimal?>("--max-cost-usd") { Description = "The most this prediction may spend on language models, in US dollars (the request's max_cost_usd)." };
        var json = new Option<bool>("--json") { Description = "Print the same JSON the API answers with." };

        var command = new Command("predict", "Predict the next API calls for a spec and a history.") { spec, events, prompt, k, maxCost, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            PredictRequest body;
            try
            {
                body = await ReadEventsAsync(parse.GetValue(events), cancellationToken);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                return await FailAsync(error, $"--events: {ex.Message}");
            }

            body.Prompt = parse.GetValue(prompt) ?? body.Prompt;
            body.K = parse.GetValue(k) ?? body.K;
            body.MaxCostUsd = parse.GetValue(maxCost) ?? body.MaxCostUsd;
            var specArgument = parse.GetValue(spec)!;
            // A local file is read here and sent inline: the command runs as the user, so the service's spec-folder
            // fence does not apply to what the user can read anyway. --spec wins over a request body's own spec.
            if (Uri.TryCreate(specArgument, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                (body.SpecUrl, body.Spec) = (specArgument, null);
            }
            else if (File.Exists(specArgument))
            {
                (body.SpecUrl, body.Spec) = (null, InlineSpec.FromText(await File.ReadAllTextAsync(specArgument, cancellationToken)));
            }
            else
            {
                return await FailAsync(error, $"--spec: '{specArgument}' is neither an http(s) URL nor an existing file.");
            }

            await using var host = await (startHost?.Invoke(cancellationToken) ?? CliHost.StartAsync(cancellationToken: cancellationToken));
            if (host.Get<IRankerSource>().CurrentModel is null)
            {
                await error.WriteLineAsync("No trained ranker model yet ('opensesame generate' then 'opensesame train'); ranking with the heuristic.");
            }

            PredictResponse response;
            switch (await host.Get<PredictionService>().PredictAsync(body, cancellationToken))
            {
                case PredictionOutcome.Answered answered:
                    response = answered.Response;
                    break;
                case PredictionOutcome.Refused refused:
                    return await FailAsync(error, string.Join(Environment.NewLine, refused.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
                case PredictionOutcome.SpecUnusable unusable:
                    return await FailAsync(error, unusable.Reason);
                default:
                    throw new UnreachableException("Unknown prediction outcome.");
            }

            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(response, ContractJson.Options));
            }
            else
            {
                PrintTable(response, CliTables.ConsoleFor(output));
            }

            return 0;
        });
        return command;
    }

    private static async Task<PredictRequest> ReadEventsAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return new PredictRequest();
        }

        if (!file.Exists)
        {
            throw new FileNotFoundException($"'{file.FullName}' does not exist.");
        }

        await using var stream = file.OpenRead();
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? new PredictRequest { Events = document.RootElement.Deserialize<List<EventBody?>>(ContractJson.Options) }
            : document.RootElement.Deserialize<PredictRequest>(ContractJson.Options) ?? new PredictRequest();
    }

    private static void PrintTable(PredictResponse response, IAnsiConsole console)
    {
        var table = new Table().AddColumns("#", "next call", "params", "score", "why");
        var rank = 1;
        foreach (var prediction in response.Predictions)
        {
            var parameters = string.Join(", ", prediction.Params.Select(p => $"{p.Key}={p.Value ?? "?"}"));
            table.AddRow(
                (rank++).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(prediction.Endpoint + (prediction.Destructive ? " (destructive)" : "")),
                Markup.Escape(parameters),
                prediction.Score.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(prediction.Why));
        }

        console.Write(table);
        console.MarkupLine($"[grey]model {Markup.Escape(response.ModelVersion)}, {response.ProcessingTimeMs:0.0} ms, spec cached: {response.Cached}[/]");
        if (response.Metadata.Route is { } route)
        {
            var served = route.CacheHit ? $"{route.ActualModel} (cached)" : route.ActualModel ?? route.Model;
            console.MarkupLine($"[grey]route {Markup.Escape(served)} ({Markup.Escape(route.Reason)}), "
                               + $"cost ${response.CostUsd.ToString("0.########", System.Globalization.CultureInfo.InvariantCulture)}[/]");
        }
        if (response.Injection is { } injection)
        {
            console.MarkupLine($"[yellow]{Markup.Escape(string.Join(", ", injection.Fields))} read as instructions to a "
                               + $"language model ({Markup.Escape(string.Join(", ", injection.Rules))}); local models only.[/]");
        }
    }

    private static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync(message);
        return 2;
    }
}
