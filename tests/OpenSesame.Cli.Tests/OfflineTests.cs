using System.Diagnostics;

namespace OpenSesame.Cli.Tests;

/// <summary>
/// The command in a process of its own, so that ONNX Runtime starts in it as it does for a user: a library that
/// initialises once per process cannot be observed from inside the test host, where another test started it first.
/// </summary>
public sealed class OfflineTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("opensesame-home-").FullName;
    private readonly string _data = Directory.CreateTempSubdirectory("opensesame-data-").FullName;

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task APredictionWithTheEmbeddingModelWritesNothingIntoTheUsersHomeFolder()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "opensesame.dll"), "predict", "--spec",
                Path.Combine(AppContext.BaseDirectory, "samples", "billing.yaml"), "--prompt", "finish billing", "-k", "1",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["HOME"] = _home;
        start.Environment["Storage__DataDirectory"] = _data;
        start.Environment.Remove("ORT_DISABLE_TELEMETRY");

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, await error);
        Assert.Matches(@"│ 1 │ (GET|POST) /v1/", await output);
        // ONNX Runtime 1.30 keeps a telemetry device id and event database here unless told not to.
        Assert.Empty(Directory.GetFileSystemEntries(_home, "*", SearchOption.AllDirectories));
    }
}
