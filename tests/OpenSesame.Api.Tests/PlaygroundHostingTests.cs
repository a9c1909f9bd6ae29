using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

/// <summary>The playground's files as the service serves them; what the page does is in PlaygroundBrowserTests.</summary>
public sealed class PlaygroundHostingTests : IDisposable
{
    private readonly ApiFactory _factory = new(TestKeys.Settings());

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task TheRootRedirectsToThePlayground()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/", Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/playground/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/playground/", "text/html")]
    [InlineData("/playground/playground.js", "text/javascript")]
    [InlineData("/playground/playground.css", "text/css")]
    public async Task ServesThePagesFilesWithoutAKeyEvenWhenKeysAreConfigured(string path, string mediaType)
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
