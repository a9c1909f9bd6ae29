using System.CommandLine;
using OpenSesame.Training;

namespace OpenSesame.Cli;

/// <summary><c>opensesame generate [--count 10000] [--seed 42] [--out data/training] [--held-out-domains 2]</c></summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Sessions to generate.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed gives the same files.", DefaultValueFactory = _ => 42 };
        var output = new Option<string?>("--out") { Description = "Output folder (default: training/ inside the data directory)." };
        var heldOut = new Option<int>("--held-out-domains") { Description = "Domains kept apart as the synthetic evaluation set.", DefaultValueFactory = _ => 2 };

        var command = new Command("generate", "Generate synthetic SaaS sessions to train the ranker on.") { count, seed, output, heldOut };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Writing files needs the data directory's setting, and no service.
            var folder = parse.GetValue(output) ?? Path.Combine(CliHost.DataDirectory(), "training");
            var total = parse.GetValue(count);
            if (total <= 0)
            {
                await Console.Error.WriteLineAsync("--count must be positive.");
                return 2;
            }

            TrainingDataManifest? manifest = null;
            try
            {
                await CliProgress.RunAsync($"generating {total} sessions", total, progress =>
                {
                    manifest = TrainingData.Generate(folder, total, parse.GetValue(seed), parse.GetValue(heldOut), progress);
                    return Task.CompletedTask;
                });
            }
            catch (ArgumentOutOfRangeException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            Console.WriteLine($"wrote {manifest!.Sessions} sessions to {Path.GetFullPath(folder)}");
            Console.WriteLine($"  training domains ({manifest.TrainDomains.Count}): {string.Join(", ", manifest.TrainDomains)} -> {manifest.TrainFile}");
            Console.WriteLine($"  held-out domains ({manifest.HeldOutDomains.Count}): {string.Join(", ", manifest.HeldOutDomains)} -> {manifest.HeldOutFile}");
            Console.WriteLine($"  prompt kinds: {string.Join(", ", manifest.PromptKinds.Select(k => $"{k.Key} {k.Value}"))}");
            return 0;
        });
        return command;
    }
}
