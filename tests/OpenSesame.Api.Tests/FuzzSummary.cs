namespace OpenSesame.Api.Tests;

/// <summary>
/// The fuzz tests' tallies in <c>fuzz-summary.txt</c> next to the test binaries, one line per test, which CI prints
/// after the run (the test platform shows no output of passing tests). Rewritten whole with every line of this run,
/// so tests running side by side do not overwrite each other and an earlier run's lines do not linger.
/// </summary>
internal static class FuzzSummary
{
    private static readonly SortedDictionary<string, string> Lines = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static void Write(string test, string line)
    {
        lock (Gate)
        {
            Lines[test] = line;
            File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "fuzz-summary.txt"), Lines.Values);
        }
    }
}
