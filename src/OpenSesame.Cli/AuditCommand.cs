using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenSesame.Predictor.Guardrails.Audit;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;
using Spectre.Console;

namespace OpenSesame.Cli;

/// <summary><c>opensesame audit [--user U] [--since 2026-11-01] [--limit 50] [--json]</c>: the audit trail, newest first.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var user = new Option<string?>("--user") { Description = "Only this user's predictions." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only records from this time on (ISO 8601)." };
        var limit = new Option<int>("--limit") { Description = "Most records to show (1-10000).", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the records as JSON." };

        var command = new Command("audit", "Show the audit trail of predictions, newest first.") { user, since, limit, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(limit);
            if (count is < 1 or > 10_000)
            {
                await Console.Error.WriteLineAsync($"--limit must be between 1 and 10000; it was {count}.");
                return 2;
            }

            await using var host = await CliHost.StartAsync(cancellationToken: cancellationToken);
            var records = await host.Get<IAuditLog>()
                .QueryAsync(StoredUserId.Of(parse.GetValue(user)), parse.GetValue(since), count, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(records, ContractJson.Options));
                return 0;
            }

            if (records.Count == 0)
            {
                Console.WriteLine("No audit records match.");
                return 0;
            }

            var table = new Table().AddColumns("time (UTC)", "user", "session", "prompt (redacted)", "endpoints", "flags", "ms");
            foreach (var r in records)
            {
                table.AddRow(
                    Markup.Escape(r.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                    Markup.Escape(r.UserId ?? "-"),
                    Markup.Escape(r.SessionId ?? "-"),
                    Markup.Escape(r.RedactedPrompt ?? "-"),
                    Markup.Escape(string.Join(", ", r.Endpoints)),
                    Markup.Escape(string.Join(", ", r.Flags)),
                    r.LatencyMs.ToString("0.0", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
