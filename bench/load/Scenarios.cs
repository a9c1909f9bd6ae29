using System.Buffers;
using System.Text.Json;

namespace OpenSesame.Load;

/// <summary>
/// The request bodies of each scenario. A scenario cycles through varied requests (histories of 0–3 calls, half with
/// a prompt), so that one repeated input does not flatter the service's caches or the CPU's branch predictor beyond
/// what a real session's repetition does.
/// </summary>
internal static class Scenarios
{
    public const string SampleWarm = "sample-warm";
    public const string GitHubWarm = "github-warm";
    public const string GitHubInline = "github-inline";
    public const string NewPrompt = "new-prompt";
    public const string Cold = "cold";

    public static readonly IReadOnlyList<string> Names = [SampleWarm, GitHubWarm, GitHubInline, NewPrompt, Cold];

    private const string SampleSpec = "samples/specs/billing.yaml";
    private const string GitHubSpec = "specs/apis-guru/APIs/github.com/api.github.com/1.1.4/openapi.yaml";
    private const string StripeSpec = "specs/stripe-openapi/openapi/spec3.yaml";

    private static readonly string[] SampleCalls =
        ["GET /v1/invoices", "GET /v1/invoices/in_123", "POST /v1/invoices/in_123/lines", "GET /v1/customers/cus_9", "GET /v1/payments"];

    private static readonly string[] SamplePrompts =
        ["finish billing for Q2", "send the invoice to the customer", "refund the last payment", "add a line to the draft"];

    private static readonly string[] GitHubCalls =
        ["GET /repos/octo/hello/pulls", "GET /repos/octo/hello/pulls/12", "GET /repos/octo/hello/issues", "GET /user/repos",
         "GET /repos/octo/hello/branches"];

    private static readonly string[] GitHubPrompts =
        ["merge the pull request", "review the changes", "open an issue about the bug", "create a release"];

    /// <summary>Whether the scenario's requests each name a spec the service has not seen: no warm-up then.</summary>
    public static bool IsCold(string scenario) => scenario == Cold;

    /// <summary>The body of request number <paramref name="n"/> (counted over all clients) of the scenario, as UTF-8 JSON.</summary>
    public static Func<long, byte[]> For(LoadSettings settings)
    {
        var evalData = Path.GetFullPath(settings.EvalData);
        var github = Path.Combine(evalData, GitHubSpec);
        var githubUrl = JsonSerializer.SerializeToUtf8Bytes(github);
        switch (settings.Scenario)
        {
            case SampleWarm:
                var sample = JsonSerializer.SerializeToUtf8Bytes(SampleSpec);
                return n => Body(Varied(n, SampleCalls, SamplePrompts), "spec_url", sample);
            case GitHubWarm:
                return n => Body(Varied(n, GitHubCalls, GitHubPrompts), "spec_url", githubUrl);
            case GitHubInline:
                // Escaped once: escaping 2.9 MB for every request cost the load tool more CPU than the service's work.
                var document = JsonSerializer.SerializeToUtf8Bytes(File.ReadAllText(github));
                return n => Body(Varied(n, GitHubCalls, GitHubPrompts), "spec", document);
            case NewPrompt:
                // Offset per run: a second run against the same service finds none of its prompts cached.
                var offset = Random.Shared.NextInt64(1_000_000, 1_000_000_000);
                return n => Body((Varied(n, GitHubCalls, GitHubPrompts).Calls, $"review pull request {n + offset} and its {n % 7} comments"),
                    "spec_url", githubUrl);
            case Cold:
                var files = settings.SpecFiles.Count > 0 ? settings.SpecFiles : [Path.Combine(evalData, StripeSpec), github];
                var texts = files.Select(File.ReadAllText).ToArray();
                // A comment changes the content hash, and with it everything the service caches by it; the run's own
                // nonce keeps a second run against the same data folder cold too.
                var nonce = Guid.NewGuid().ToString("n")[..8];
                return n =>
                {
                    var spec = n / settings.ColdEvery;
                    var text = texts[spec % texts.Length] + $"\n# opensesame-load cold variant {nonce}-{spec}\n";
                    return Body(([], "list the open items"), "spec", JsonSerializer.SerializeToUtf8Bytes(text));
                };
            default:
                throw new ArgumentException($"Unknown scenario '{settings.Scenario}'; one of {string.Join(", ", Names)}.");
        }
    }

    // Request n: a history of the first n % 4 calls starting at a rotating offset, and every second one a prompt.
    private static (string[] Calls, string? Prompt) Varied(long n, string[] calls, string[] prompts)
    {
        var length = (int)(n % 4);
        var start = (int)(n / 4 % calls.Length);
        var history = Enumerable.Range(0, length).Select(i => calls[(start + i) % calls.Length]).ToArray();
        return (history, n % 2 == 0 ? prompts[(int)(n / 2 % prompts.Length)] : null);
    }

    /// <param name="specJson">The value of <paramref name="specName"/> as JSON, escaped once by the caller.</param>
    private static byte[] Body((string[] Calls, string? Prompt) request, string specName, byte[] specJson)
    {
        var buffer = new ArrayBufferWriter<byte>(specJson.Length + 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("user_id", "load");
            writer.WriteStartArray("events");
            foreach (var call in request.Calls)
            {
                writer.WriteStartObject();
                writer.WriteString("endpoint", call);
                writer.WriteStartObject("params");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("k", 5);
            writer.WritePropertyName(specName);
            writer.WriteRawValue(specJson, skipInputValidation: true);
            if (request.Prompt is not null)
            {
                writer.WriteString("prompt", request.Prompt);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
