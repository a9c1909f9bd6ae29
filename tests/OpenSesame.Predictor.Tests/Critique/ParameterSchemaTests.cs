using System.Text.Json;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Critique;

public sealed class ParameterSchemaTests
{
    private static string? Conform(string? type, string json, params string[] allowed)
    {
        var parameter = new ApiParameter("p", ParameterLocation.Query, false, type, null, allowed.Length > 0 ? allowed : null);
        return ParameterSchema.TryConform(parameter, JsonDocument.Parse(json).RootElement, out var value)
            ? value is JsonElement element ? element.GetRawText() : JsonSerializer.Serialize(value)
            : null;
    }

    [Theory]
    [InlineData("string", "\"abc\"", "\"abc\"")]
    [InlineData("string", "42", "\"42\"")]
    [InlineData("integer", "42", "42")]
    [InlineData("integer", "\"42\"", "42")]
    [InlineData("number", "\"2.5\"", "2.5")]
    [InlineData("boolean", "\"true\"", "true")]
    [InlineData("boolean", "false", "false")]
    [InlineData("array", "[1, 2]", "[1, 2]")]
    [InlineData("object", "{\"a\": 1}", "{\"a\": 1}")]
    [InlineData("integer|string", "\"42\"", "\"42\"")]
    [InlineData(null, "[\"anything\"]", "[\"anything\"]")]
    public void AcceptsAValueOfTheDeclaredTypeInTheFormToSend(string? type, string json, string expected) =>
        Assert.Equal(expected, Conform(type, json));

    [Theory]
    [InlineData("integer", "2.5")]
    [InlineData("integer", "\"many\"")]
    [InlineData("number", "true")]
    [InlineData("boolean", "\"yes\"")]
    [InlineData("string", "true")]
    [InlineData("string", "{\"a\": 1}")]
    [InlineData("array", "\"a,b\"")]
    [InlineData("object", "[1]")]
    [InlineData(null, "null")]
    public void RefusesAValueOfAnotherType(string? type, string json) =>
        Assert.Null(Conform(type, json));

    [Fact]
    public void AcceptsOnlyAnEnumsValuesInTheSpecsSpelling()
    {
        Assert.Equal("\"paid\"", Conform("string", "\"Paid\"", "draft", "paid"));
        Assert.Null(Conform("string", "\"archived\"", "draft", "paid"));
        Assert.Equal("2", Conform("integer", "\"2\"", "1", "2"));
    }
}
