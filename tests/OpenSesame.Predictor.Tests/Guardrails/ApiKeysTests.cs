using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Predictor.Tests.Guardrails;

public sealed class ApiKeysTests
{
    [Fact]
    public void NewKeysAreRandomPrefixedAndUrlSafe()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeys.New()).ToList();

        Assert.Equal(100, keys.Distinct().Count());
        Assert.All(keys, key =>
        {
            Assert.StartsWith(ApiKeys.Prefix, key, StringComparison.Ordinal);
            Assert.Equal(ApiKeys.Prefix.Length + 43, key.Length);
            Assert.All(key, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'));
        });
    }

    [Fact]
    public void HashesTheKeysTextWithSha256AsLowercaseHex()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeys.Sha256Hex("abc"));
        Assert.True(ApiKeys.IsSha256Hex(ApiKeys.Sha256Hex(ApiKeys.New())));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("os_not-a-hash")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void RecognisesOnlySixtyFourHexDigitsAsAHash(string? value) => Assert.False(ApiKeys.IsSha256Hex(value));

    [Theory]
    [InlineData("predict", "predict")]
    [InlineData(" Admin ", "admin")]
    [InlineData("FEEDBACK", "feedback")]
    [InlineData("root", null)]
    [InlineData(null, null)]
    public void SpellsRolesAsTheServiceDoes(string? role, string? expected) => Assert.Equal(expected, ApiRoles.Normalize(role));
}
