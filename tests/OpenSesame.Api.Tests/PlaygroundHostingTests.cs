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

    [Fact]
    public async Task DashboardRedirectsToTheDashboardPage()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/dashboard", Cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/playground/dashboard.html", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ServesTheVendoredChartLibraryAsCommittedAndTheDashboardLoadsIt()
    {
        using var client = _factory.CreateClient();

        var library = await client.GetStringAsync("/playground/vendor/chart.js/chart.umd.min.js", Cancel);
        var page = await client.GetStringAsync("/playground/dashboard.html", Cancel);

        // The file the build copied, byte for byte: the version note beside it names this version.
        var committed = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "src", "OpenSesame.Api", "playground",
            "vendor", "chart.js", "chart.umd.min.js"), Cancel);
        Assert.Equal(committed, library);
        Assert.StartsWith("/*!\n * Chart.js v4.6.2", library, StringComparison.Ordinal);
        Assert.Contains("<script src=\"vendor/chart.js/chart.umd.min.js\"></script>", page, StringComparison.Ordinal);
        // Nothing from another host: the Content-Security-Policy would refuse it, and there is no network to reach.
        Assert.DoesNotContain("://", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/playground/", "text/html")]
    [InlineData("/playground/playground.js", "text/javascript")]
    [InlineData("/playground/common.js", "text/javascript")]
    [InlineData("/playground/playground.css", "text/css")]
    [InlineData("/playground/dashboard.html", "text/html")]
    [InlineData("/playground/dashboard.js", "text/javascript")]
    [InlineData("/playground/dashboard.css", "text/css")]
    [InlineData("/playground/vendor/chart.js/chart.umd.min.js", "text/javascript")]
    public async Task ServesThePagesFilesWithoutAKeyEvenWhenKeysAreConfigured(string path, string mediaType)
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(path, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}
