using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Tests.Routing;

public sealed class ComplexityScorerTests
{
    private const double Threshold = 0.6;

    [Fact]
    public void AShortRequestIsNotComplex()
    {
        var score = ComplexityScorer.Score(new ComplexityInput("send the invoice", 2, 40));

        // 0.25 × 3/40 + 0.10 × 2/20 + 0.15 × ln 41 / ln 65
        Assert.Equal(0.1622, score.Score, 4);
        Assert.True(score.Score < Threshold);
    }

    [Fact]
    public void AMultiStepPromptWithScopeWordsIsComplex()
    {
        var score = ComplexityScorer.Score(new ComplexityInput(
            "Create a customer, then attach a card, then invoice each open order and finally email all invoices", 0, 40));

        // 17 words, three sequencing words (then, then, finally), two scope words (each, all).
        Assert.Equal((17 / 40.0, 1.0, 1.0), (score.Length, score.Structure, score.Intent));
        Assert.Equal(0.7397, score.Score, 4);
        Assert.True(score.Score >= Threshold);
    }

    [Fact]
    public void TheLinesOfANumberedListAreSteps()
    {
        var list = ComplexityScorer.Score(new ComplexityInput("1. Create the customer\n2. Add a card\n3. Charge it", 0, 0));
        var sentence = ComplexityScorer.Score(new ComplexityInput("Create the customer, add a card, charge it", 0, 0));

        Assert.Equal(2 / 3.0, list.Structure, 6);
        Assert.Equal(0, sentence.Structure);
    }

    [Fact]
    public void ARequestWithoutAPromptIsNeverComplex()
    {
        var score = ComplexityScorer.Score(new ComplexityInput(null, 500, 5000));

        Assert.Equal(0.25, score.Score, 6);
    }

    [Fact]
    public void MoreHistoryAndMoreCandidateOperationsRaiseTheScore()
    {
        var few = ComplexityScorer.Score(new ComplexityInput("refund the payment", 1, 3)).Score;
        var many = ComplexityScorer.Score(new ComplexityInput("refund the payment", 15, 60)).Score;

        Assert.True(many > few + 0.1, $"{many} should be well above {few}");
    }
}
