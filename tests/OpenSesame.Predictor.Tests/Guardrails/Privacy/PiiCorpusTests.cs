using OpenSesame.Predictor.Guardrails.Privacy;

namespace OpenSesame.Predictor.Tests.Guardrails.Privacy;

/// <summary>The detector measured on the labelled corpus (<c>Guardrails/pii-corpus.jsonl</c>), and every family of
/// look-alikes left alone. The same numbers print with <c>opensesame pii-eval</c>.</summary>
public sealed class PiiCorpusTests
{
    private const double MinPrecision = 0.98;
    private const double MinRecall = 0.95;

    private static readonly string[] Families =
    [
        "order-numbers", "dates-times", "versions", "stripe-ids", "uuids-hashes", "phone-like", "card-like",
        "iban-like", "plain-numbers", "ip-like", "jwt-bearer-like", "api-key-like", "email-like", "ssn-like", "prompts",
    ];

    private readonly IPiiRedactor _redactor = Privacy.Redactor();

    [Fact]
    public void TheCorpusHasThreeHundredLinesAndEveryCategoryManyTimes()
    {
        Assert.True(Privacy.Corpus.Count >= 300, $"{Privacy.Corpus.Count} lines");
        foreach (var category in PiiCategories.All)
        {
            Assert.True(Privacy.Corpus.SelectMany(l => l.Spans).Count(s => s.Category == category) >= 20, category.Name());
        }
    }

    [Fact]
    public void EveryCategoryReachesTheTargetPrecisionAndRecall()
    {
        var result = PiiCorpus.Evaluate(Privacy.Corpus);

        var below = result.Scores.Where(s => s.Precision < MinPrecision || s.Recall < MinRecall)
            .Select(s => $"{s.Category.Name()}: precision {s.Precision:0.000}, recall {s.Recall:0.000}");
        var mistakes = result.Mistakes.Select(m => $"line {m.Line}: {m.Kind} {m.Category.Name()} '{m.Value}'");
        Assert.True(result.Meets(MinPrecision, MinRecall), string.Join(Environment.NewLine, below.Concat(mistakes)));
    }

    [Fact]
    public void EveryLookAlikeFamilyOfTheCorpusHasANamedTest()
    {
        var inCorpus = Privacy.Corpus.Select(l => l.Family).OfType<string>().Distinct().Order();

        Assert.Equal(Families.Order(), inCorpus);
        Assert.All(Privacy.Corpus.Where(l => l.Spans.Count == 0), l => Assert.NotNull(l.Family));
    }

    [Fact]
    public void OrderAndInvoiceNumbersAreNotRedacted() => AssertFamilyUntouched("order-numbers");

    [Fact]
    public void IsoDatesTimesAndTimestampsAreNotRedacted() => AssertFamilyUntouched("dates-times");

    [Fact]
    public void VersionStringsAndSemVerAreNotRedacted() => AssertFamilyUntouched("versions");

    [Fact]
    public void StripeObjectIdsAndPublishableKeysAreNotRedacted() => AssertFamilyUntouched("stripe-ids");

    [Fact]
    public void UuidsAndHexCommitShasAreNotRedacted() => AssertFamilyUntouched("uuids-hashes");

    [Fact]
    public void PhoneLikeSequencesThatAreNotPhonesAreNotRedacted() => AssertFamilyUntouched("phone-like");

    [Fact]
    public void CardLikeNumbersFailingLuhnOrNoBrandsLengthAreNotRedacted() => AssertFamilyUntouched("card-like");

    [Fact]
    public void IbanLikeStringsFailingMod97OrTheCountrysLengthAreNotRedacted() => AssertFamilyUntouched("iban-like");

    [Fact]
    public void PlainNumbersAreNotRedacted() => AssertFamilyUntouched("plain-numbers");

    [Fact]
    public void IpLikeVersionStringsTimesAndScopeOperatorsAreNotRedacted() => AssertFamilyUntouched("ip-like");

    [Fact]
    public void BearerProseAndDottedNamesAreNotRedacted() => AssertFamilyUntouched("jwt-bearer-like");

    [Fact]
    public void ApiKeyPrefixesInProseAndPlaceholdersAreNotRedacted() => AssertFamilyUntouched("api-key-like");

    [Fact]
    public void AtSignsThatAreNotEmailAddressesAreNotRedacted() => AssertFamilyUntouched("email-like");

    [Fact]
    public void SsnShapedNumbersThatCannotBeSsnsAreNotRedacted() => AssertFamilyUntouched("ssn-like");

    [Fact]
    public void EverydayPromptsAreNotRedacted() => AssertFamilyUntouched("prompts");

    private void AssertFamilyUntouched(string family)
    {
        var lines = Privacy.Corpus.Where(l => l.Family == family).ToList();
        Assert.True(lines.Count >= 10, $"only {lines.Count} '{family}' lines");

        var touched = lines.Select(l => (l, Redacted: _redactor.RedactText(l.Text)))
            .Where(x => x.Redacted.Found.Count > 0)
            .Select(x => $"line {x.l.Number}: '{x.l.Text}' became '{x.Redacted.Text}'");
        Assert.Empty(touched);
    }
}
