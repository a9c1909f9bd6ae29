using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class OpenApiCatalogParserTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(16 * 1024 - 1)]
    [InlineData(40_000)]
    public void TheContentHashIsTheSha256OfTheDocumentsUtf8BytesHoweverLongItIs(int length)
    {
        // A pair split across the encoder's chunk of 16 K chars, and a lone surrogate, which UTF-8 writes as U+FFFD.
        var content = new string('a', length) + "😀 é \ud800 z";

        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));

        Assert.Equal(expected, OpenApiCatalogParser.HashOf(content));
    }

    [Fact]
    public void ReadsSwagger2BodyAndFormParametersAsBodyFields()
    {
        var catalog = TestSpecs.Parse("""
            swagger: '2.0'
            info: { title: t, version: '1' }
            basePath: /api/1.0
            paths:
              /tasks:
                post:
                  operationId: createTask
                  parameters:
                    - in: body
                      name: body
                      required: true
                      schema: { $ref: '#/definitions/Task' }
                  responses: { '201': { description: created } }
              /uploads:
                post:
                  consumes: [ multipart/form-data ]
                  parameters:
                    - { in: formData, name: file, type: file, required: true }
                  responses: { '200': { description: ok } }
            definitions:
              Task:
                type: object
                required: [ name ]
                properties:
                  name: { type: string }
                  notes: { type: string }
            """);

        var create = catalog.Find("POST", "/tasks")!;
        Assert.Contains(create.Parameters, p => p is { Name: "name", In: ParameterLocation.Body, Required: true });
        Assert.Contains(create.Parameters, p => p is { Name: "notes", In: ParameterLocation.Body, Required: false });
        Assert.Contains(catalog.Find("POST", "/uploads")!.Parameters, p => p is { Name: "file", In: ParameterLocation.Body });
        Assert.Equal(["/api/1.0"], catalog.BasePaths);
    }

    [Fact]
    public void ReadsOpenApi31AndMergesPathLevelParameters()
    {
        var catalog = TestSpecs.Parse("""
            {
              "openapi": "3.1.0",
              "info": { "title": "t", "version": "1" },
              "paths": {
                "/users/{user_id}/keys": {
                  "parameters": [ { "name": "user_id", "in": "path", "required": true, "schema": { "type": "string" } } ],
                  "get": { "operationId": "listKeys", "parameters": [ { "$ref": "#/components/parameters/Limit" } ] }
                }
              },
              "components": { "parameters": { "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } } }
            }
            """);

        var operation = Assert.Single(catalog.Operations);
        Assert.Equal("GET /users/{user_id}/keys", operation.Key);
        Assert.Contains(operation.Parameters, p => p is { Name: "user_id", In: ParameterLocation.Path, Required: true });
        Assert.Contains(operation.Parameters, p => p is { Name: "limit", In: ParameterLocation.Query, Type: "integer" });
        Assert.Equal("user", Assert.Single(operation.Path.Slots).Entity);
    }

    [Theory]
    [InlineData("<html><body>Not found</body></html>", "not an OpenAPI")]
    [InlineData("{\"error\": \"rate limited\"}", "not an OpenAPI")]
    [InlineData("", "empty")]
    [InlineData("openapi: 3.0.0\ninfo: { title: t, version: '1' }\npaths: {}\n", "no usable operations")]
    public void RefusesDocumentsThatAreNotSpecsWithAReason(string content, string reason)
    {
        var error = Assert.Throws<SpecException>(() => OpenApiCatalogParser.Parse(content));

        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NamesEachParameterByTheEntityItIdentifies()
    {
        var shape = PathShape.Parse("/v1/customers/{customer}/invoices/{id}/lines/{lineItemId}");

        Assert.Equal(["customer", "invoice", "line_item"], shape.Slots.Select(s => s.Entity).Select(Unstem));
        Assert.Equal(Tokenizer.Stem("line"), shape.MainResource);

        static string Unstem(string entity) => entity switch
        {
            _ when entity == Tokenizer.Stem("customer") => "customer",
            _ when entity == Tokenizer.Stem("invoice") => "invoice",
            _ => entity.Replace(Tokenizer.Stem("item"), "item", StringComparison.Ordinal),
        };
    }
}
