using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("invoice", "invoice", 0, true)]
    [InlineData("invoice", "invoices", 1, true)]
    [InlineData("invoice", "invoce", 1, true)]
    [InlineData("customer", "custmer", 1, true)]
    [InlineData("customer", "costumer", 1, false)]
    [InlineData("customer", "kustomar", 1, false)]
    [InlineData("customer", "kustomar", 2, true)]
    public void CountsInsertionsDeletionsAndSubstitutionsUpToTheLimit(string a, string b, int edits, bool within) =>
        Assert.Equal(within, EditDistance.Within(a, b, edits));

    [Fact]
    public void ASwapOfNeighboursIsOneEditOnlyWhenSwapsCount()
    {
        Assert.False(EditDistance.Within("recieve", "receive", 1));
        Assert.True(EditDistance.Within("recieve", "receive", 2));
        Assert.True(EditDistance.Within("recieve", "receive", 1, swaps: true));
        Assert.False(EditDistance.Within("ca", "abc", 1, swaps: true));
    }

    [Fact]
    public void SpellingsFurtherApartInLengthThanTheLimitAreNeverWithinIt()
    {
        Assert.False(EditDistance.Within("inv", "invoice", 3));
        Assert.True(EditDistance.Within("inv", "invoice", 4));
    }

    [Fact]
    public void LongSpellingsAreComparedLikeShortOnes()
    {
        var stem = new string('a', 300);

        Assert.True(EditDistance.Within(stem + "bc", stem + "cb", 1, swaps: true));
        Assert.False(EditDistance.Within(stem + "bcd", stem + "dcb", 1, swaps: true));
    }
}
