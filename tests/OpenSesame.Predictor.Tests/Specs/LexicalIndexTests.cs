using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class LexicalIndexTests
{
    [Fact]
    public void PromptsFullOfNewWordsDoNotGrowTheIndexWithoutBound()
    {
        var index = TestSpecs.Parse(File.ReadAllText(TestSpecs.BillingPath)).Lexical;

        for (var i = 0; i < LexicalIndex.NearTermsRemembered + 500; i++)
        {
            index.Score([$"word{(char)('a' + (i % 26))}{i:x}"]);
        }

        Assert.Equal(LexicalIndex.NearTermsRemembered, index.RememberedNearTerms);
    }

    [Fact]
    public void AWordForgottenAmongManyOthersScoresAsItDidBefore()
    {
        var index = TestSpecs.Parse(File.ReadAllText(TestSpecs.BillingPath)).Lexical;
        var words = Tokenizer.Terms("the invoce");
        var typo = index.Score(words);
        Assert.Contains(typo, score => score > 0);

        for (var i = 0; i < LexicalIndex.NearTermsRemembered + 1; i++)
        {
            index.Score([$"other{i}"]);
        }

        Assert.Equal(typo, index.Score(words));
    }
}
