using OpenSesame.Api.Security;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Tests.Security;

public sealed class AccessOptionsValidatorTests
{
    private static IEnumerable<string> Failures(params ApiKeyEntry[] keys) =>
        new AccessOptionsValidator().Validate(null, new AccessOptions { ApiKeys = keys }).Failures ?? [];

    [Fact]
    public void AcceptsNoKeysAndWellFormedKeys()
    {
        Assert.Empty(Failures());
        Assert.Empty(Failures(new ApiKeyEntry { Owner = "alice", Sha256 = ApiKeys.Sha256Hex("os_a"), Roles = ["predict", "Feedback"] }));
    }

    [Fact]
    public void NamesEveryProblemOfEveryKeyByItsConfigurationPath()
    {
        var failures = Failures(
            new ApiKeyEntry { Owner = "alice", Sha256 = ApiKeys.Sha256Hex("os_a"), Roles = ["predict"] },
            new ApiKeyEntry { Owner = " ", Sha256 = "os_plain-text-key", Roles = [] },
            new ApiKeyEntry { Owner = "bob", Sha256 = ApiKeys.Sha256Hex("os_a"), Roles = ["root"] }).ToList();

        Assert.Contains(failures, f => f.StartsWith("Security:ApiKeys:1:Owner is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Security:ApiKeys:1:Sha256 must be the 64 hex digits", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Security:ApiKeys:1:Roles is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Security:ApiKeys:2:Roles has 'root'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("alice and bob have the same key hash", StringComparison.Ordinal));
        Assert.Equal(5, failures.Count);
    }
}
