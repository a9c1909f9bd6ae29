using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;
using OpenSesame.Training;

namespace OpenSesame.Cli;

/// <summary><c>opensesame train [--data data/training/train.jsonl] [--seed 42] [--iterations 600] [--usage-share 0.3] [--without-intent] ...</c>
/// (the options <see cref="TrainingArguments"/> lists, which <c>retrain</c> shares).</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var arguments = new TrainingArguments();
        var withoutIntent = new Option<bool>("--without-intent")
        {
            Description = $"Train without the semantic and data-flow features and save the model under '{RankerModelStore.WithoutIntentPointer}' (the current model is unchanged); 'eval' compares it as 'ranker-no-intent'.",
        };

        var command = new Command("train", "Train the LightGBM ranker on synthetic sessions and make it the current model.") { withoutIntent };
        foreach (var option in arguments.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (arguments.Problem(parse) is { } problem)
            {
                await Console.Error.WriteLineAsync(problem);
                return 2;
            }

            await using var host = await CliHost.StartAsync(cancellationToken: cancellationToken);
            var storage = host.Get<IOptions<StorageOptions>>().Value;
            var file = arguments.DataFile(parse, storage);
            if (!File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"{file} does not exist; run 'opensesame generate' first or pass --data.");
                return 2;
            }

            var options = arguments.Options(parse, host.Get<IOptions<PredictionOptions>>().Value, withIntent: !parse.GetValue(withoutIntent));
            var trainer = new RankerTrainer(options, TimeProvider.System);
            RankerModel model;
            try
            {
                model = trainer.Train(file, new CliProgress.SynchronousProgress<string>(Console.Error.WriteLine));
            }
            catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            var store = host.Get<RankerModelStore>();
            var pointer = parse.GetValue(withoutIntent) ? RankerModelStore.WithoutIntentPointer : RankerModelStore.CurrentPointer;
            store.Save(model, pointer);
            var info = model.Info;
            Console.WriteLine($"model {info.Version} -> {Path.GetFullPath(Path.Combine(store.Directory, info.Version))} ({pointer})");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {info.Sessions} sessions, {info.Groups} groups, true call absent from {info.AbsentShare:P1} of them, trained in {info.TrainingTime.TotalSeconds:0.0} s"));
            Print($"leave-domains-out ({string.Join(", ", info.CalibrationDomains)}), no LLM, no usage", info.Calibration, withEce: true);
            Print("leave-domains-out, usage learned from earlier sessions", info.CalibrationWithUsage, withEce: true);
            Print("leave-domains-out, simulated LLM answer", info.CalibrationWithSimulatedLlm, withEce: true);
            Print("recorded traffic, validation clients (history only, pool before critique)", info.TrafficValidation, withEce: false);
            Print("recorded traffic, validation clients with written prompts", info.TrafficValidationWithWrittenPrompts, withEce: false);

            return 0;
        });
        return command;
    }

    private static void Print(string label, RankerMetrics? metrics, bool withEce)
    {
        if (metrics is null)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label}: top1 {metrics.Top1:0.000}, top3 {metrics.Top3:0.000}, mrr {metrics.Mrr:0.000}, coverage {metrics.Coverage:0.000}")
            + (withEce ? string.Create(CultureInfo.InvariantCulture, $", ECE {metrics.ExpectedCalibrationError:0.000}") : ""));
    }
}
