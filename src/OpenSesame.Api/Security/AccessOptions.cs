using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>Who may call the service. Section "Security" of the configuration.</summary>
public sealed class AccessOptions
{
    public const string Section = "Security";

    /// <summary>The keys that may call, by hash. Default none: then only loopback callers are served, anonymously
    /// (see <see cref="AllowAnonymousNonLoopback"/>).</summary>
    public IList<ApiKeyEntry> ApiKeys { get; init; } = [];

    /// <summary>With no keys configured, serve anonymous callers even when listening on an address other machines can
    /// reach. Default false: the service refuses to start that way, since anyone could use it.</summary>
    public bool AllowAnonymousNonLoopback { get; set; }
}

/// <summary>One key as configured: whose it is, the SHA-256 of the key (never the key), and what it may do.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key: named in logs, and the partition of the rate limit.</summary>
    public string Owner { get; set; } = "";

    /// <summary>Lowercase or uppercase hex of the SHA-256 of the key's text, as <c>opensesame keys new</c> prints it.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Any of <c>predict</c>, <c>feedback</c>, <c>admin</c>.</summary>
    public IList<string> Roles { get; init; } = [];
}

/// <summary>Every problem of every key at once, named by its configuration path, so one restart fixes them all.</summary>
internal sealed class AccessOptionsValidator : IValidateOptions<AccessOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var path = $"{AccessOptions.Section}:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Owner))
            {
                failures.Add($"{path}:Owner is required: name who holds the key.");
            }

            if (!ApiKeys.IsSha256Hex(key.Sha256))
            {
                failures.Add($"{path}:Sha256 must be the 64 hex digits of the key's SHA-256, never the key itself; "
                             + "'opensesame keys new' prints both.");
            }

            if (key.Roles.Count == 0)
            {
                failures.Add($"{path}:Roles is empty: give the key at least one of {string.Join(", ", ApiRoles.All)}.");
            }

            foreach (var role in key.Roles.Where(r => ApiRoles.Normalize(r) is null))
            {
                failures.Add($"{path}:Roles has '{role}', which is not one of {string.Join(", ", ApiRoles.All)}.");
            }
        }

        var repeated = options.ApiKeys.Where(k => ApiKeys.IsSha256Hex(k.Sha256))
            .GroupBy(k => k.Sha256, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => string.Join(" and ", g.Select(k => k.Owner)));
        failures.AddRange(repeated.Select(owners => $"{AccessOptions.Section}:ApiKeys: {owners} have the same key hash; "
                                                    + "one key must belong to one owner."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
