using System.CommandLine;
using System.Text.Json;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Cli;

/// <summary><c>opensesame keys new --owner alice [--roles predict,feedback]</c></summary>
internal static class KeysCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static Command Create()
    {
        var owner = new Option<string>("--owner") { Description = "Who holds the key: named in logs and counted by the rate limit.", Required = true };
        var roles = new Option<string>("--roles")
        {
            Description = $"Comma-separated roles: {string.Join(", ", ApiRoles.All)}.",
            DefaultValueFactory = _ => ApiRoles.Predict,
        };

        var create = new Command("new", "Make a random API key; print it once, and the configuration entry that holds only its hash.") { owner, roles };
        create.SetAction(parse =>
        {
            var name = parse.GetValue(owner)!.Trim();
            var asked = parse.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = asked.Where(r => ApiRoles.Normalize(r) is null).ToList();
            if (name.Length == 0 || asked.Length == 0 || unknown.Count > 0)
            {
                Console.Error.WriteLine(name.Length == 0 ? "--owner must not be empty."
                    : $"--roles takes {string.Join(", ", ApiRoles.All)}{(unknown.Count > 0 ? $", not {string.Join(", ", unknown)}" : "")}.");
                return 2;
            }

            var granted = asked.Select(r => ApiRoles.Normalize(r)!).Distinct().ToList();
            var key = ApiKeys.New();
            var hash = ApiKeys.Sha256Hex(key);
            var entry = JsonSerializer.Serialize(new { Owner = name, Sha256 = hash, Roles = granted }, Json);

            Console.WriteLine($"API key for {name} (shown only now; the service keeps just its hash):");
            Console.WriteLine();
            Console.WriteLine($"  {key}");
            Console.WriteLine();
            Console.WriteLine("Add this entry to the Security:ApiKeys list in appsettings.json:");
            Console.WriteLine();
            Console.WriteLine($"  {entry}");
            Console.WriteLine();
            Console.WriteLine("or set it in the environment, N being the next free index of the list:");
            Console.WriteLine();
            Console.WriteLine($"  Security__ApiKeys__N__Owner={name}");
            Console.WriteLine($"  Security__ApiKeys__N__Sha256={hash}");
            for (var i = 0; i < granted.Count; i++)
            {
                Console.WriteLine($"  Security__ApiKeys__N__Roles__{i}={granted[i]}");
            }

            Console.WriteLine();
            Console.WriteLine("Callers send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.");
            return 0;
        });
        return new Command("keys", "Manage API keys.") { create };
    }
}
