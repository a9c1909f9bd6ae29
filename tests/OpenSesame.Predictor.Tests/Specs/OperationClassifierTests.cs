
namespace OpenSesame.Predictor.Tests.Specs;

public sealed class OperationClassifierTests
{
    [Theory]
    [InlineData("GET /v1/invoices", "List", false)]
    [InlineData("GET /v1/invoices/{invoice}", "Read", false)]
    [InlineData("POST /v1/invoices", "Create", false)]
    [InlineData("POST /v1/invoices/{invoice}", "Update", false)]
    [InlineData("POST /v1/invoices/{invoice}/finalize", "Action", false)]
    [InlineData("POST /v1/invoices/{invoice}/void", "Action", true)]
    [InlineData("DELETE /v1/customers/{customer}", "Delete", true)]
    public void InfersTheKindOfEachOperationFromMethodAndPath(string key, string kind, bool destructive)
    {
        var operation = TestSpecs.Billing.Operations.Single(o => o.Key == key);

        Assert.Equal(kind, operation.Kind.ToString());
        Assert.Equal(destructive, operation.IsDestructive);
    }

    [Theory]
    [InlineData("POST /chat.postMessage", "Create", false)]
    [InlineData("GET /conversations.list", "List", false)]
    [InlineData("POST /conversations.archive", "Action", true)]
    [InlineData("POST /admin.users.remove", "Action", true)]
    [InlineData("GET /search/issues", "Search", false)]
    [InlineData("PATCH /tickets/{id}", "Update", false)]
    public void ReadsTheVerbOfRpcStyleAndSearchPaths(string key, string kind, bool destructive)
    {
        var operation = Assert.Single(TestSpecs.WithOperations(key).Operations);

        Assert.Equal(kind, operation.Kind.ToString());
        Assert.Equal(destructive, operation.IsDestructive);
    }
}
