using System.Globalization;
using System.Text;

namespace OpenSesame.Load;

/// <summary>One run as a Markdown table row with its header, ready for docs/PERFORMANCE.md.</summary>
internal static class LoadTable
{
    public const string Header =
        "| scenario | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | service RSS before → after (peak) MB | service CPU s | load tool CPU s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public static string Of(LoadResult r)
    {
        var text = new StringBuilder();
        if (r.Label is not null)
        {
            text.AppendLine(r.Label);
        }

        text.AppendLine(Header);
        var memory = r.Before is null || r.After is null ? "–" : F($"{r.Before.RssMb:0} → {r.After.RssMb:0} ({r.After.PeakMb:0})");
        var errors = r.Errors == 0 ? "0" : F($"{r.Errors} ({string.Join(", ", r.ErrorKinds.Select(e => $"{e.Key}: {e.Value}"))})");
        text.AppendLine(F($"| {r.Scenario} | {r.Clients} | {r.Requests} | {errors} | {r.PerSecond:0} | {r.P50Ms:0.0} | {r.P95Ms:0.0} | {r.P99Ms:0.0} | {r.MaxMs:0.0} | {memory} | {(r.ServiceCpuSeconds is { } cpu ? F($"{cpu:0.0}") : "–")} | {r.ClientCpuSeconds:0.0} |"));
        if (r.MedianStagesMs is { Count: > 0 } stages)
        {
            text.AppendLine("median stages ms: " + string.Join(", ", stages.Select(s => F($"{s.Key} {s.Value:0.0}"))));
        }

        return text.ToString().TrimEnd();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
