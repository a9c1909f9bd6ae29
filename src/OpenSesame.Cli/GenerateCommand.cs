using System.CommandLine;
using OpenSesame.Training;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Cli;

/// <summary><c>opensesame generate [--count 10000] [--seed 42] [--out data/training] [--held-out-domains 2]
/// [--real-specs false] [--sessions-per-spec 300] [--shared ../shared] [--client-behaviours true] [--repeating-client-share 0.4]</c></summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Sessions to generate.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed gives the same files.", DefaultValueFactory = _ => 42 };
        var output = new Option<string?>("--out") { Description = "Output folder (default: training/ inside the data directory)." };
        var heldOut = new Option<int>("--held-out-domains") { Description = "Domains kept apart as the synthetic evaluation set.", DefaultValueFactory = _ => 2 };
        var realSpecs = new Option<bool>("--real-specs")
        {
            Description = "Also walk the real specs of Synthetic/real-specs.txt (under --shared) into the training file (off by default: they did not help on recorded traffic's validation clients, docs/EVALUATION.md).",
            DefaultValueFactory = _ => false,
        };
        var perSpec = new Option<int>("--sessions-per-spec")
        {
            Description = "Sessions walked over each real spec.",
            DefaultValueFactory = _ => new RealSpecOptions().SessionsPerSpec,
        };
        var shared = new Option<string>("--shared")
        {
            Description = "The shared folder real spec paths are relative to.",
            DefaultValueFactory = _ => TrainingCatalogs.DefaultSharedFolder,
        };
        var behaviours = new Option<bool>("--client-behaviours")
        {
            Description = "Add client behaviour (retries, pages, polling, fan-out, interleaving, mid-workflow starts) at the documented rates.",
            DefaultValueFactory = _ => true,
        };
        var repeating = new Option<double>("--repeating-client-share")
        {
            Description = "Share of sessions whose client retries, pages, polls or fans out at all (1 spreads those behaviours over every session).",
            DefaultValueFactory = _ => new ClientBehaviourOptions().RepeatingClientShare,
        };

        var command = new Command("generate", "Generate synthetic SaaS sessions to train the ranker on.")
        {
            count, seed, output, heldOut, realSpecs, perSpec, shared, behaviours, repeating,
        };
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

            if (parse.GetValue(perSpec) < 0)
            {
                await Console.Error.WriteLineAsync("--sessions-per-spec must not be negative.");
                return 2;
            }

            if (parse.GetValue(repeating) is <= 0 or > 1)
            {
                await Console.Error.WriteLineAsync("--repeating-client-share is a share of sessions, above 0 and at most 1.");
                return 2;
            }

            var specs = parse.GetValue(realSpecs)
                ? new RealSpecOptions { SessionsPerSpec = parse.GetValue(perSpec), SharedFolder = parse.GetValue(shared)! }
                : null;
            var sessions = new SyntheticSamplerOptions
            {
                Behaviours = parse.GetValue(behaviours)
                    ? new ClientBehaviourOptions { RepeatingClientShare = parse.GetValue(repeating) }
                    : ClientBehaviourOptions.None,
            };
            var planned = total + (specs is null ? 0 : specs.Specs.Count * specs.SessionsPerSpec);
            TrainingDataManifest? manifest = null;
            try
            {
                await CliProgress.RunAsync($"generating {planned} sessions", planned, progress =>
                {
                    manifest = TrainingData.Generate(folder, total, parse.GetValue(seed), parse.GetValue(heldOut), progress, sessions, specs);
                    return Task.CompletedTask;
                });
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or FileNotFoundException)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }

            Console.WriteLine($"wrote {manifest!.Sessions} sessions to {Path.GetFullPath(folder)}");
            Console.WriteLine($"  training domains ({manifest.TrainDomains.Count}): {string.Join(", ", manifest.TrainDomains)} -> {manifest.TrainFile}");
            Console.WriteLine($"  held-out domains ({manifest.HeldOutDomains.Count}): {string.Join(", ", manifest.HeldOutDomains)} -> {manifest.HeldOutFile}");
            Console.WriteLine($"  prompt kinds: {string.Join(", ", manifest.PromptKinds.Select(k => $"{k.Key} {k.Value}"))}");
            if (manifest.RealSpecs is { Count: > 0 } walked)
            {
                Console.WriteLine($"  real specs ({walked.Count}, {walked.Sum(s => s.Sessions)} sessions): {string.Join(", ", walked.Select(s => $"{s.Title} ({s.Operations} ops)"))}");
            }
            return 0;
        });
        return command;
    }
}
