using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenSesame.Api.Security;

namespace OpenSesame.Api.Tests.Security;

public sealed class RateLimitCallerTests
{
    private static DefaultHttpContext Context(string? body, string contentType = "application/json", ClaimsPrincipal? user = null)
    {
        var context = new DefaultHttpContext { RequestAborted = TestContext.Current.CancellationToken };
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }

        if (user is not null)
        {
            context.User = user;
        }

        return context;
    }

    private static async Task<string> ReadAllAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CountsByTheKeysOwnerFirstAndLeavesTheBodyUnread()
    {
        var owner = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], ApiKeyAuthenticationHandler.SchemeName));
        var context = Context("""{ "user_id": "u-1" }""", user: owner);
        var body = context.Request.Body;

        var caller = await RateLimitCaller.ResolveAsync(context);

        Assert.Equal("owner:alice", caller.Partition);
        Assert.Same(body, context.Request.Body);
    }

    [Fact]
    public async Task CountsByTheBodysUserIdThenReplaysTheWholeBodyToTheEndpoint()
    {
        var json = """{ "session_id": "s", "events": [ { "user_id": "nested" } ], "USER_ID": "u-42", "k": 5 }""";
        var context = Context(json);

        var caller = await RateLimitCaller.ResolveAsync(context);

        Assert.Equal("user:u-42", caller.Partition);
        Assert.Equal(json, await ReadAllAsync(context.Request));
    }

    [Theory]
    [InlineData("""{ "user_id": 42 }""")]
    [InlineData("""{ "user_id": "   " }""")]
    [InlineData("""{ "events": [ { "user_id": "nested" } ] }""")]
    [InlineData("""{ "k": , "user_id": "u-1" }""")]
    [InlineData("""[ { "user_id": "u-1" } ]""")]
    [InlineData("user_id=u-1")]
    [InlineData("")]
    [InlineData(null)]
    public async Task CountsByTheClientAddressWhenTheBodyNamesNoUsableUserId(string? body)
    {
        var context = Context(body);

        var caller = await RateLimitCaller.ResolveAsync(context);

        Assert.Equal("ip:203.0.113.7", caller.Partition);
        if (body is not null)
        {
            Assert.Equal(body, await ReadAllAsync(context.Request));
        }
    }

    [Fact]
    public async Task DoesNotReadBodiesThatAreNotJson()
    {
        var context = Context("""{ "user_id": "u-1" }""", contentType: "text/plain");
        var body = context.Request.Body;

        var caller = await RateLimitCaller.ResolveAsync(context);

        Assert.Equal("ip:203.0.113.7", caller.Partition);
        Assert.Same(body, context.Request.Body);
    }

    [Fact]
    public async Task ReadsOnlyThePrefixOfALargeBodyAndReplaysAllOfIt()
    {
        var json = """{ "user_id": "u-1", "prompt": " """ + new string('x', 3 * RateLimitCaller.UserIdScanBytes) + "\" }";
        var context = Context(json);

        var caller = await RateLimitCaller.ResolveAsync(context);

        Assert.Equal("user:u-1", caller.Partition);
        Assert.Equal(json, await ReadAllAsync(context.Request));
    }
}
