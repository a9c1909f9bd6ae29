using System.Text;
using System.Text.Json;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class InlineSpecTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string Yaml = "openapi: 3.0.0\ninfo: { title: \"Café 😀\", version: '1' }\npaths: {}\n";

    [Fact]
    public void AJsonStringIsReadAsTheDocumentsBytesWithTheHashItsTextHas()
    {
        // Escaped by the serializer: line breaks, quotes, and the non-ASCII characters as \u escapes.
        var json = JsonSerializer.Serialize(new PredictRequest { Spec = InlineSpec.FromText(Yaml) }, ContractJson.Options);

        var spec = JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options)!.Spec!;

        Assert.Equal(InlineSpecForm.Text, spec.Form);
        Assert.Equal(Yaml, spec.Text());
        Assert.Equal(OpenApiCatalogParser.HashOf(Yaml), spec.ContentHash);
        Assert.Equal(Encoding.UTF8.GetBytes(Yaml), spec.Utf8.ToArray());
    }

    [Fact]
    public void AJsonObjectKeepsItsTextAsWrittenSoItsHashIsTheOneItAlwaysHad()
    {
        const string document = """{ "openapi": "3.0.0",  "info": {"title": "caf\u00e9", "version": "1"}, "paths": {} }""";

        var body = JsonSerializer.Deserialize<PredictRequest>($$"""{"spec": {{document}} }""", ContractJson.Options)!;

        Assert.Equal(InlineSpecForm.JsonObject, body.Spec!.Form);
        Assert.Equal(document, body.Spec.Text());
        Assert.Equal(OpenApiCatalogParser.HashOf(document), body.Spec.ContentHash);
        Assert.Equal(document, JsonSerializer.Serialize(body.Spec, ContractJson.Options));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("[1, 2]")]
    [InlineData("true")]
    public void AValueThatIsNeitherTextNorAnObjectIsNoDocumentAndTheValidatorRefusesIt(string value)
    {
        var spec = JsonSerializer.Deserialize<PredictRequest>($$"""{"spec": {{value}} }""", ContractJson.Options)!.Spec!;
        var errors = new Dictionary<string, string>();

        Assert.Equal(InlineSpecForm.NotADocument, spec.Form);
        Assert.Null(PredictRequestValidator.SpecSourceOf(null, spec, (field, message) => errors[field] = message));
        Assert.Contains("must be an OpenAPI document", errors["spec"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \\n\\t ")]
    public void BlankTextIsRefusedAsNoDocument(string text)
    {
        var spec = JsonSerializer.Deserialize<PredictRequest>($$"""{"spec": "{{text}}"}""", ContractJson.Options)!.Spec!;
        var errors = new Dictionary<string, string>();

        Assert.True(spec.IsBlank);
        Assert.Null(PredictRequestValidator.SpecSourceOf(null, spec, (field, message) => errors[field] = message));
        Assert.True(errors.ContainsKey("spec"));
    }

    [Fact]
    public void BytesThatAreNotUtf8AreRefusedAsInvalidText()
    {
        var json = Encoding.ASCII.GetBytes("{\"spec\": \"openapi: 3.0.0 ??\"}");
        (json[^4], json[^3]) = ((byte)0xFF, (byte)0xFE);

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options));

        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Contains("UTF", error.InnerException.Message, StringComparison.Ordinal);
        Assert.Equal("$.spec", error.Path);
    }

    [Fact]
    public async Task AnInlineSpecFindsTheCatalogItsFileWasParsedInto()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Specs:Folders:0"] = Path.Combine(TestSpecs.Root, "samples") });
        var text = await File.ReadAllTextAsync(TestSpecs.BillingPath, Cancel);
        var fromFile = await predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.File, TestSpecs.BillingPath), Cancel);

        var json = JsonSerializer.Serialize(new PredictRequest { Spec = InlineSpec.FromText(text) }, ContractJson.Options);
        var inline = JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options)!.Spec!;
        var fromBody = await predictor.Specs.GetAsync(SpecSource.Inline(inline), Cancel);

        Assert.True(fromBody.FromCache);
        Assert.Same(fromFile.Catalog, fromBody.Catalog);
    }
}
