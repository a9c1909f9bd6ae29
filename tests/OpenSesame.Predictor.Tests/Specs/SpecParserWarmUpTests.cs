using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class SpecParserWarmUpTests
{
    [Fact]
    public void TheWarmUpSpecIsAValidDocumentThatExercisesReferencesAndResponseSchemas()
    {
        var catalog = OpenApiCatalogParser.Parse(SpecParserWarmUp.Document);

        Assert.Equal(["GET /v1/orders", "POST /v1/orders", "DELETE /v1/orders/{order}/items/{item_id}"],
            catalog.Operations.Select(o => o.Key));
        Assert.NotEmpty(catalog.DataFlow.Produces(catalog.Operations[0]));
    }
}
