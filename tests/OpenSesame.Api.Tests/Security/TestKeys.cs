using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Tests.Security;

/// <summary>Four keys and the configuration that knows them by hash only.</summary>
internal static class TestKeys
{
    public const string Alice = "os_alice-may-predict";
    public const string Bob = "os_bob-may-predict";
    public const string Carol = "os_carol-may-give-feedback";
    public const string Root = "os_root-may-administer";

    public static Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var (owner, key, role) in new[]
                 {
                     ("alice", Alice, ApiRoles.Predict), ("bob", Bob, ApiRoles.Predict),
                     ("carol", Carol, ApiRoles.Feedback), ("root", Root, ApiRoles.Admin),
                 })
        {
            settings[$"Security:ApiKeys:{index}:Owner"] = owner;
            settings[$"Security:ApiKeys:{index}:Sha256"] = ApiKeys.Sha256Hex(key);
            settings[$"Security:ApiKeys:{index}:Roles:0"] = role;
            index++;
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
