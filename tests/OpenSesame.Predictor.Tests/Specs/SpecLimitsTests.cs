using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class SpecLimitsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void RefusesMoreReferencesThanTheLimitBeforeParsingAndNamesTheSetting()
    {
        var error = Assert.Throws<SpecException>(() =>
            OpenApiCatalogParser.Parse(HostileSpecs.ReferenceChain(20_000), new SpecOptions(), null, Cancel));

        Assert.Contains("Specs:MaxReferences", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAChainOfReferencesLongerThanTheDepthLimit()
    {
        var error = Assert.Throws<SpecException>(() =>
            OpenApiCatalogParser.Parse(HostileSpecs.ReferenceChain(100, used: true), new SpecOptions { MaxReferenceDepth = 32 }, null, Cancel));

        Assert.Contains("chain of 100 references", error.Message, StringComparison.Ordinal);
        Assert.Contains("Specs:MaxReferenceDepth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptsAChainOfReferencesWithinTheDepthLimit()
    {
        var catalog = OpenApiCatalogParser.Parse(HostileSpecs.ReferenceChain(5, used: true), new SpecOptions { MaxReferenceDepth = 5 }, null, Cancel);

        Assert.Single(catalog.Operations);
    }

    [Theory]
    [InlineData("parameters", 1)]
    [InlineData("parameters", 2)]
    [InlineData("schemas", 3)]
    [InlineData("responses", 2)]
    [InlineData("requestBodies", 2)]
    public void RefusesComponentsThatReferToEachOtherInACircle(string kind, int length)
    {
        var error = Assert.Throws<SpecException>(() => OpenApiCatalogParser.Parse(HostileSpecs.Circle(kind, length)));

        Assert.Contains("circle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesMoreOperationsThanTheLimitAndNamesTheSetting()
    {
        var error = Assert.Throws<SpecException>(() =>
            OpenApiCatalogParser.Parse(HostileSpecs.Operations(11), new SpecOptions { MaxOperations = 10 }, null, Cancel));

        Assert.Contains("11 operations", error.Message, StringComparison.Ordinal);
        Assert.Contains("Specs:MaxOperations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopsParsingWhenItsTokenIsCanceled()
    {
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            OpenApiCatalogParser.Parse(HostileSpecs.Operations(50), new SpecOptions(), null, canceled.Token));
    }

    [Fact]
    public async Task AParsePastItsBudgetIsRefusedNamingTheSetting()
    {
        // A budget of a tenth of a microsecond has passed by the time the document is read, however fast the machine.
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Specs:ParseBudget"] = "00:00:00.0000001" });

        var error = await Assert.ThrowsAsync<SpecException>(() =>
            predictor.Specs.GetAsync(SpecSource.Inline(HostileSpecs.Operations(2_000)), Cancel));

        Assert.Contains("Specs:ParseBudget", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AParseStoppedByItsCallerIsNotCachedAndTheNextRequestParsesTheSpec()
    {
        using var predictor = new TestPredictor();
        var spec = SpecSource.Inline(HostileSpecs.Operations(20));
        using var gone = new CancellationTokenSource();
        gone.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => predictor.Specs.GetAsync(spec, gone.Token));
        var parsed = await predictor.Specs.GetAsync(spec, Cancel);

        Assert.False(parsed.FromCache);
        Assert.Equal(20, parsed.Catalog.Operations.Count);
    }
}
