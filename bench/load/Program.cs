using System.Globalization;
using System.Text.Json;
using OpenSesame.Load;

// opensesame-load run --scenario sample-warm --clients 8 --duration 20 [--pid PID] [--json]   (see LoadSettings)
// opensesame-load fake-provider --port P --mode latency:100|hang|fail [--lifetime S]
try
{
    return args switch
    {
        ["run", .. var rest] => await RunAsync(LoadSettings.Parse(rest)),
        ["fake-provider", "--port", var port, "--mode", var mode, .. var rest] => await ServeAsync(port, mode, rest),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

static async Task<int> RunAsync(LoadSettings settings)
{
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };
    var result = await LoadRun.RunAsync(settings, interrupted.Token);
    Console.WriteLine(settings.Json ? JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = false }) : LoadTable.Of(result));
    return 0;
}

static async Task<int> ServeAsync(string port, string mode, string[] rest)
{
    var lifetime = rest is ["--lifetime", var seconds] ? double.Parse(seconds, CultureInfo.InvariantCulture) : 900;
    await FakeProvider.RunAsync(int.Parse(port, CultureInfo.InvariantCulture), mode, TimeSpan.FromSeconds(lifetime));
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        opensesame-load run [--url http://127.0.0.1:8080] [--scenario sample-warm|github-warm|github-inline|new-prompt|cold]
                            [--clients 8] [--duration 20] [--max-requests 200000] [--warm-up 200] [--pid PID]
                            [--evaldata ../shared/evaldata] [--cold-every 1] [--spec-file F]... [--timeout 30] [--label L] [--json]
        opensesame-load fake-provider --port P --mode latency:MS|hang|fail [--lifetime 900]
        """);
    return 2;
}
