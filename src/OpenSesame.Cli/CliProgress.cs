using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary>A progress bar on a terminal; without one (CI, pipes), plain lines at every tenth and a closing line.</summary>
internal static class CliProgress
{
    public static async Task RunAsync(string description, int total, Func<IProgress<int>, Task> work)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: Math.Max(1, total));
                await work(new Progress<int>(done => task.Value = done));
                task.Value = task.MaxValue;
            });
            return;
        }

        await Console.Error.WriteLineAsync($"{description} ...");
        var lastTenth = 0;
        await work(new SynchronousProgress<int>(done =>
        {
            var tenth = total == 0 ? 10 : done * 10 / total;
            if (tenth > lastTenth)
            {
                lastTenth = tenth;
                Console.Error.WriteLine($"  {done}/{total} ({tenth * 10}%)");
            }
        }));
        await Console.Error.WriteLineAsync($"{description}: done");
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool, so lines could arrive after "done"; this reports in place.</summary>
    public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
