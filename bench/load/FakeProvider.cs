using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenSesame.Load;

/// <summary>
/// A stand-in for Anthropic's Messages API (<c>POST /v1/messages</c>) on 127.0.0.1, for the service's
/// <c>ANTHROPIC_BASE_URL</c>: answers after a fixed latency (<c>latency:MS</c>), never (<c>hang</c>), or with a 500
/// (<c>fail</c>). <c>POST /mode/{mode}</c> switches it while the service runs, so one run can watch a circuit open on
/// an outage and close when the provider recovers.
/// </summary>
internal static class FakeProvider
{
    public static async Task RunAsync(int port, string mode, TimeSpan lifetime)
    {
        var current = Mode.Parse(mode);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.MapPost("/mode/{mode}", (string mode) =>
        {
            current = Mode.Parse(mode);
            return Results.Text(current.ToString());
        });
        app.MapPost("/v1/messages", async (HttpContext http) =>
        {
            var mode = current;
            if (mode.Hangs)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Empty;
            }

            await Task.Delay(mode.Latency, http.RequestAborted);
            return mode.Fails
                ? Results.Json(new { type = "error", error = new { type = "api_error", message = "the fake provider fails" } }, statusCode: 500)
                : Results.Text(Answer, "application/json");
        });
        Console.WriteLine($"fake provider on http://127.0.0.1:{port}, {current}");
        await app.StartAsync();
        // Bounded like the load itself: the fake never outlives the run that started it by more than its lifetime.
        await Task.Delay(lifetime);
        await app.StopAsync();
    }

    // A real operation of the sample spec and of the GitHub spec; the critic drops whichever the spec lacks.
    private static readonly string Answer = JsonSerializer.Serialize(new
    {
        id = "msg_load",
        type = "message",
        role = "assistant",
        model = "claude-3-haiku-20240307",
        content = new[]
        {
            new
            {
                type = "text",
                text = JsonSerializer.Serialize(new
                {
                    candidates = new[]
                    {
                        new { endpoint = "GET /v1/invoices", reason = "the fake provider" },
                        new { endpoint = "GET /repos/{owner}/{repo}/pulls", reason = "the fake provider" },
                    },
                }),
            },
        },
        stop_reason = "end_turn",
        usage = new { input_tokens = 1000, output_tokens = 50 },
    });

    private sealed record Mode(TimeSpan Latency, bool Hangs, bool Fails)
    {
        public static Mode Parse(string text) => text switch
        {
            "hang" => new Mode(TimeSpan.Zero, Hangs: true, Fails: false),
            "fail" => new Mode(TimeSpan.Zero, Hangs: false, Fails: true),
            _ when text.StartsWith("latency:", StringComparison.Ordinal) =>
                new Mode(TimeSpan.FromMilliseconds(int.Parse(text["latency:".Length..], CultureInfo.InvariantCulture)), false, false),
            _ => throw new ArgumentException($"Mode '{text}': latency:MS, hang or fail."),
        };

        public override string ToString() => Hangs ? "hang" : Fails ? "fail" : $"latency:{Latency.TotalMilliseconds:0}";
    }
}
