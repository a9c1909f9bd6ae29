using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Critique;

public sealed class OperationRepairTests
{
    // Served under /v2; users, their settings and item lists, projects with tasks.
    private static readonly Lazy<EndpointCatalog> Workspace = new(() => TestSpecs.Parse("""
        openapi: 3.0.0
        info: { title: workspace, version: '1' }
        servers: [ { url: 'https://api.example.com/v2' } ]
        paths:
          /users:
            get: { responses: { '200': { description: ok } } }
            post: { responses: { '200': { description: ok } } }
          /users/{user_id}:
            parameters: [ { name: user_id, in: path, required: true, schema: { type: string } } ]
            get: { responses: { '200': { description: ok } } }
            patch: { responses: { '200': { description: ok } } }
            delete: { responses: { '200': { description: ok } } }
          /users/{user_id}/settings:
            parameters: [ { name: user_id, in: path, required: true, schema: { type: string } } ]
            put: { responses: { '200': { description: ok } } }
          /users/{user_id}/line_items:
            parameters: [ { name: user_id, in: path, required: true, schema: { type: string } } ]
            get: { responses: { '200': { description: ok } } }
          /users/{user_id}/saved_items:
            parameters: [ { name: user_id, in: path, required: true, schema: { type: string } } ]
            get: { responses: { '200': { description: ok } } }
          /projects:
            get: { responses: { '200': { description: ok } } }
          /projects/{project_id}/tasks:
            parameters: [ { name: project_id, in: path, required: true, schema: { type: string } } ]
            get: { responses: { '200': { description: ok } } }
          /projects/{project_id}/tasks/{task_id}:
            parameters:
              - { name: project_id, in: path, required: true, schema: { type: string } }
              - { name: task_id, in: path, required: true, schema: { type: string } }
            get: { responses: { '200': { description: ok } } }
            put: { responses: { '200': { description: ok } } }
            patch: { responses: { '200': { description: ok } } }
        """));

    private static RepairedCall? Resolve(string endpoint, EndpointCatalog? catalog = null)
    {
        var (method, path) = HistoryEvent.ParseEndpoint(endpoint)!.Value;
        return OperationRepair.Resolve(catalog ?? Workspace.Value, method, path);
    }

    [Fact]
    public void AnOperationNamedAsWrittenNeedsNoRepair()
    {
        var call = Resolve("GET /users/{user_id}")!;

        Assert.Equal("GET /users/{user_id}", call.Operation.Key);
        Assert.Null(call.Repair);
    }

    [Fact]
    public void TheServersBasePathIsRemovedWhenTheCallCarriesIt()
    {
        var call = Resolve("GET /v2/users/u_1")!;

        Assert.Equal("GET /users/{user_id}", call.Operation.Key);
        Assert.Equal("base path /v2 removed", call.Repair);
        Assert.Equal("u_1", call.PathValues["user_id"]);
    }

    [Fact]
    public void AMissingVersionPrefixIsAdded()
    {
        var call = Resolve("POST /invoices/{invoice}/finalize", TestSpecs.Billing)!;

        Assert.Equal("POST /v1/invoices/{invoice}/finalize", call.Operation.Key);
        Assert.Equal("base path /v1 added", call.Repair);
    }

    [Fact]
    public void APrefixEveryPathSharesCountsAsABasePath()
    {
        var catalog = TestSpecs.WithOperations("GET /api/v3/orders", "GET /api/v3/orders/{order_id}", "POST /api/v3/refunds");

        var call = Resolve("GET /orders/o_9", catalog)!;

        Assert.Equal("GET /api/v3/orders/{order_id}", call.Operation.Key);
        Assert.Equal("base path /api/v3 added", call.Repair);
    }

    [Fact]
    public void AMisspelledLiteralSegmentIsCorrectedWhenOneOperationIsThatClose()
    {
        var call = Resolve("GET /user/u_1/lineItems")!;

        Assert.Equal("GET /users/{user_id}/line_items", call.Operation.Key);
        Assert.Equal("u_1", call.PathValues["user_id"]);
        Assert.Equal("segment 'user' → 'users'; segment 'lineItems' → 'line_items'", call.Repair);
    }

    [Fact]
    public void AnExtraLiteralSegmentInsideThePathIsRemoved()
    {
        var call = Resolve("GET /users/{user_id}/billing/line_items")!;

        Assert.Equal("GET /users/{user_id}/line_items", call.Operation.Key);
        Assert.Equal("segment 'billing' removed", call.Repair);
    }

    [Fact]
    public void AMissingLiteralSegmentIsAdded()
    {
        var call = Resolve("GET /projects/p_1/{task_id}")!;

        Assert.Equal("GET /projects/{project_id}/tasks/{task_id}", call.Operation.Key);
        Assert.Equal("segment 'tasks' added", call.Repair);
        Assert.Equal("p_1", call.PathValues["project_id"]);
    }

    [Fact]
    public void ASegmentCloseToTwoOperationsIsAmbiguousAndDropped() =>
        // "items" is part of both "line_items" and "saved_items".
        Assert.Null(Resolve("GET /users/{user_id}/items"));

    [Fact]
    public void AnUnknownActionIsNeverTakenForTheResourceItActsOn() =>
        // Dropping "approve" would turn an approval into an update of the invoice.
        Assert.Null(Resolve("POST /v1/invoices/{invoice}/approve", TestSpecs.Billing));

    [Fact]
    public void AMisnamedPathParameterIsMappedToTheSpecsName()
    {
        var call = Resolve("GET /users/{id}")!;

        Assert.Equal("GET /users/{user_id}", call.Operation.Key);
        Assert.Equal("path parameter {id} → {user_id}", call.Repair);
        Assert.Equal("user_id", call.RenamedParameters["id"]);
        // A placeholder is a slot, not a value.
        Assert.Empty(call.PathValues);
    }

    [Fact]
    public void APlaceholderIsNeverTakenForALiteralSegment() =>
        Assert.Null(Resolve("PUT /users/{user_id}/{settings}"));

    [Fact]
    public void AWrongMethodOnAPathWithOneOperationTakesThatOperation()
    {
        var call = Resolve("POST /users/u_1/settings")!;

        Assert.Equal("PUT /users/{user_id}/settings", call.Operation.Key);
        Assert.Equal("method POST → PUT", call.Repair);
    }

    [Fact]
    public void PutBecomesPatchWhenThePathOnlyHasPatch()
    {
        var call = Resolve("PUT /users/{user_id}")!;

        Assert.Equal("PATCH /users/{user_id}", call.Operation.Key);
        Assert.Equal("method PUT → PATCH", call.Repair);
    }

    [Fact]
    public void AStripeStyleUpdateByPostIsFoundForAPut() =>
        Assert.Equal("POST /v1/invoices/{invoice}", Resolve("PUT /v1/invoices/in_1", TestSpecs.Billing)!.Operation.Key);

    [Fact]
    public void AWrongMethodIsAmbiguousWhenThePathHasBothPutAndPatch() =>
        Assert.Null(Resolve("POST /projects/{project_id}/tasks/{task_id}"));

    [Fact]
    public void ARepairNeverTurnsACallIntoADeletionOrADeletionIntoARead()
    {
        Assert.Null(Resolve("DELETE /projects"));
        Assert.Null(Resolve("DELETE /v1/payments", TestSpecs.Billing));
    }

    [Theory]
    [InlineData("GET /weather")]
    [InlineData("GET /v1/refunds")]
    [InlineData("POST /users/{user_id}/promote")]
    [InlineData("GET /projects/{project_id}/tasks/{task_id}/comments")]
    public void AHallucinatedOperationIsDropped(string endpoint) =>
        Assert.Null(Resolve(endpoint, endpoint.Contains("/v1/", StringComparison.Ordinal) ? TestSpecs.Billing : null));

    [Fact]
    public void SeveralRepairsOfDifferentKindsAreListedTogether()
    {
        var call = Resolve("PUT /v2/users/{id}")!;

        Assert.Equal("PATCH /users/{user_id}", call.Operation.Key);
        Assert.Equal("base path /v2 removed; method PUT → PATCH; path parameter {id} → {user_id}", call.Repair);
    }
}
