using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Parses a small spec while the service starts, before it listens: the first parse of a process compiles the YAML
/// reader, the OpenAPI reader and the catalog's own code, which made the first request on a large spec about a second
/// slower than the next new spec (Stripe's parse stage 1.4 s against 0.4–0.5 s, docs/PERFORMANCE.md). A small spec
/// compiles only part of what a large one uses, so most of that remains; what it does compile no client waits for. The
/// spec uses what real ones do: YAML, path and query parameters, request bodies, component references and response
/// schemas with nested and alternative shapes.
/// </summary>
internal sealed partial class SpecParserWarmUp(IOptions<SpecOptions> options, TimeProvider time, ILogger<SpecParserWarmUp> logger)
    : IHostedService
{
    internal const string Document = """
        openapi: 3.0.3
        info: { title: Warm-up, version: "1" }
        paths:
          /v1/orders:
            get:
              operationId: ListOrders
              summary: List orders
              parameters:
                - { name: limit, in: query, schema: { type: integer } }
                - { name: status, in: query, schema: { type: string, enum: [open, paid] } }
              responses:
                "200":
                  description: A page of orders
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          data: { type: array, items: { $ref: "#/components/schemas/Order" } }
            post:
              operationId: CreateOrder
              summary: Create an order
              requestBody:
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Order" }
              responses:
                "200": { description: The order, content: { application/json: { schema: { $ref: "#/components/schemas/Order" } } } }
          /v1/orders/{order}/items/{item_id}:
            delete:
              operationId: DeleteOrderItem
              parameters:
                - { name: order, in: path, required: true, schema: { type: string } }
                - { name: item_id, in: path, required: true, schema: { type: string } }
              responses: { "204": { description: Deleted } }
        components:
          schemas:
            Order:
              type: object
              properties:
                id: { type: string }
                customer:
                  anyOf:
                    - { type: string }
                    - { $ref: "#/components/schemas/Customer" }
                items: { type: array, items: { allOf: [ { $ref: "#/components/schemas/Item" } ] } }
            Customer:
              type: object
              properties: { id: { type: string }, email: { type: string } }
            Item:
              type: object
              properties: { id: { type: string }, order: { type: string } }
        """;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WarmUpParser)
        {
            return Task.CompletedTask;
        }

        var started = time.GetTimestamp();
        try
        {
            OpenApiCatalogParser.Parse(Document);
            LogWarm(time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (SpecException ex)
        {
            // Only the first request's speed is at stake; starting matters more.
            LogFailed(ex);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "The spec parser is compiled: a small spec parsed in {Milliseconds:0} ms.")]
    private partial void LogWarm(double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the spec parser up failed; the first spec parsed will be slower.")]
    private partial void LogFailed(Exception exception);
}
