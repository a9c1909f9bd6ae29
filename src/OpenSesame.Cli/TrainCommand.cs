using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;
using OpenSesame.Training;

namespace OpenSesame.Cli;

/// <summary><c>opensesame train [--data data/training/train.jsonl] [--seed 42] [--iterations 300] [--usage-share 0.3] [--without-intent] ...</c></summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingOptions();
        var data = new Option<string?>("--data") { Description = "Sessions to train on (default: training/train.jsonl inside the data directory)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the training run.", DefaultValueFactory = _ => defaults.Seed };
        var iterations = new Option<int>("--iterations") { Description = "Boosting rounds.", DefaultValueFactory = _ => defaults.Iterations };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => defaults.Leaves };
        var learningRate = new Option<double>("--learning-rate") { Description = "Shrinkage per tree.", DefaultValueFactory = _ => defaults.LearningRate };
        var usageShare = new Option<double>("--usage-share") { Description = "Share of sessions that see the usage learned from earlier sessions (0 trains a model that never uses it).", DefaultValueFactory = _ => defaults.UsageShare };
        var calibration = new Option<int>("--calibration-domains") { Description = "Domains left out of tree fitting to calibrate and measure.", DefaultValueFactory = _ => defaults.CalibrationDomainCount };
        var shared = new Option<string>("--shared")
        {
            Description = "The shared folder that sessions' spec paths (real-spec walks) are relative to.",
            DefaultValueFactory = _ => defaults.SharedFolder,
        };
        var traffic = new Option<string?>("--traffic")
        {
            Description = "Recorded client traffic to train on too (a sessions file or folder, relative to --shared); 'none' for synthetic sessions only.",
            DefaultValueFactory = _ => defaults.Traffic,
        };
        var trafficRepeats = new Option<int>("--traffic-repeats")
        {
            Description = "How many times each recorded training session is replayed.",
            DefaultValueFactory = _ => defaults.TrafficRepeats,
        };
        var writePrompts = new Option<bool>("--write-prompts-for-traffic")
        {
            Description = "Give every replay of a recorded session after the first prompts written from the spec's summaries.",
            DefaultValueFactory = _ => defaults.WritePromptsForTraffic,
        };
        var withoutIntent = new Option<bool>("--without-intent")
        {
            Description = $"Train without the semantic and data-flow features and save the model under '{RankerModelStore.WithoutIntentPointer}' (the current model is unchanged); 'eval' compares it as 'ranker-no-intent'.",
        };

        var command = new Command("train", "Train the LightGBM ranker on synthetic sessions and make it the current model.")
        {
            data, seed, iterations, leaves, learningRate, calibration, usageShare, shared, traffic, trafficRepeats, writePrompts, withoutIntent,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(trafficRepeats) < 0)
            {
                await Console.Error.WriteLineAsync("--traffic-repeats is a count, 0 or more.");
                return 2;
            }

            if (parse.GetValue(usageShare) is < 0 or > 1)
            {
                await Console.Error.WriteLineAsync("--usage-share is a share of sessions, between 0 and 1.");
                return 2;
            }

            await using var host = await CliHost.StartAsync(cancellationToken: cancellationToken);
            var storage = host.Get<IOptions<StorageOptions>>().Value;
            var file = parse.GetValue(data) ?? Path.Combine(storage.DataDirectory, "training", TrainingData.TrainFileName);
            if (!File.Exists(file))
            {
                await Console.Error.WriteLineAsync($"{file} does not exist; run 'opensesame generate' first or pass --data.");
                return 2;
            }

            var options = new TrainingOptions
            {
                Seed = parse.GetValue(seed),
                Iterations = parse.GetValue(iterations),
                Leaves = parse.GetValue(leaves),
                LearningRate = parse.GetValue(learningRate),
                CalibrationDomainCount = parse.GetValue(calibration),
                UsageShare = parse.GetValue(usageShare),
                Semantic = !parse.GetValue(withoutIntent),
                DataFlow = !parse.GetValue(withoutIntent),
                SharedFolder = parse.GetValue(shared)!,
                Traffic = parse.GetValue(traffic) is { } recorded && !string.Equals(recorded, "none", StringComparison.OrdinalIgnoreCase) ? recorded : null,
                TrafficRepeats = parse.GetValue(trafficRepeats),
                WritePromptsForTraffic = parse.GetValue(writePrompts),
            };
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
