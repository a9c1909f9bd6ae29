namespace OpenSesame.Predictor.Usage;

/// <summary>
/// Whom a request's steps are counted for in learned usage: the API key's owner (a tenant: its team's habits are also
/// its own layer of usage), else the client's address, else (a request made in this process: the CLI, a replay) the
/// process itself. One caller's steps reach another's predictions only as <see cref="UsageOptions.MinimumCallers"/>
/// allows, so a caller cannot teach everyone else what to call. A <c>user_id</c> is not a caller: anyone can send a new
/// one with every request.
/// </summary>
public sealed record UsageCaller(string? Tenant, string? Address = null)
{
    public static UsageCaller Local { get; } = new(Tenant: null);
}
