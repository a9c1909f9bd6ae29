using System.Globalization;
using System.Net;

namespace OpenSesame.Load;

/// <summary>
/// What one run sends, parsed from the command line (<c>--name value</c>). Every run is bounded twice, by
/// <see cref="MaxRequests"/> and by <see cref="Duration"/>, and only ever reaches a loopback address.
/// </summary>
internal sealed record LoadSettings
{
    /// <summary>The service's base address; loopback only (127.0.0.0/8, ::1, localhost). Default http://127.0.0.1:8080.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:8080");

    /// <summary>One of <see cref="Scenarios.Names"/>. Default sample-warm.</summary>
    public string Scenario { get; init; } = "sample-warm";

    /// <summary>Clients in the closed loop, each sending its next request when the last one answered. Default 8.</summary>
    public int Clients { get; init; } = 8;

    /// <summary>Measured time, after the warm-up. Default 20 s, at most 10 minutes.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Most requests measured, whatever time is left. Default 200,000.</summary>
    public int MaxRequests { get; init; } = 200_000;

    /// <summary>Requests sent before measuring (caches, JIT), not counted. Default 200; cold scenarios send none.</summary>
    public int WarmUp { get; init; } = 200;

    /// <summary>The service process, whose resident memory and CPU time are read from /proc; none: not reported.</summary>
    public int? Pid { get; init; }

    /// <summary>Where the shared evaluation data is (the GitHub and Stripe specs). Default ../shared/evaldata.</summary>
    public string EvalData { get; init; } = "../shared/evaldata";

    /// <summary>Cold scenario: requests per new spec (each spec gets a new content hash). Default 1.</summary>
    public int ColdEvery { get; init; } = 1;

    /// <summary>Cold scenario: the YAML spec files to vary, cycled. Default the Stripe and GitHub specs.</summary>
    public IReadOnlyList<string> SpecFiles { get; init; } = [];

    /// <summary>Per-request timeout on the client. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Print one JSON object instead of the table.</summary>
    public bool Json { get; init; }

    /// <summary>A label printed with the results (for example the machine's load).</summary>
    public string? Label { get; init; }

    public static LoadSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new LoadSettings();
        var specFiles = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            if (args[i] == "--spec-file")
            {
                specFiles.Add(Value());
                continue;
            }

            settings = args[i] switch
            {
                "--url" => settings with { Url = new Uri(Value()) },
                "--scenario" => settings with { Scenario = Value() },
                "--clients" => settings with { Clients = Int(Value()) },
                "--duration" => settings with { Duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--max-requests" => settings with { MaxRequests = Int(Value()) },
                "--warm-up" => settings with { WarmUp = Int(Value()) },
                "--pid" => settings with { Pid = Int(Value()) },
                "--evaldata" => settings with { EvalData = Value() },
                "--cold-every" => settings with { ColdEvery = Int(Value()) },
                "--timeout" => settings with { RequestTimeout = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--json" => settings with { Json = true },
                "--label" => settings with { Label = Value() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        settings = specFiles.Count > 0 ? settings with { SpecFiles = specFiles } : settings;
        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        if (!IsLoopback(Url))
        {
            throw new ArgumentException($"{Url} is not a loopback address: this tool only loads services on this machine.");
        }

        if (Clients is < 1 or > 1024 || MaxRequests < 1 || WarmUp < 0 || ColdEvery < 1
            || Duration <= TimeSpan.Zero || Duration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("--clients 1..1024, --max-requests ≥ 1, --warm-up ≥ 0, --cold-every ≥ 1, --duration (0, 600] s.");
        }
    }

    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
