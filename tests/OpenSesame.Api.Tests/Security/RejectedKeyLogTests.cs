using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Security;

namespace OpenSesame.Api.Tests.Security;

public sealed class RejectedKeyLogTests
{
    [Fact]
    public async Task ManyRefusedKeysFromOneAddressWriteOneLineAMinuteThatCountsTheRest()
    {
        var cancel = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var factory = new ApiFactory(TestKeys.Settings(), time);
        using var client = factory.CreateClient();

        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/cost-analytics");
            request.Headers.Add(ApiKeyAuthenticationHandler.ApiKeyHeader, $"os_guess-{i}");
            using var response = await client.SendAsync(request, cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using var next = new HttpRequestMessage(HttpMethod.Get, "/cost-analytics");
        next.Headers.Add(ApiKeyAuthenticationHandler.ApiKeyHeader, "os_guess-next");
        using var _ = await client.SendAsync(next, cancel);

        var lines = factory.Logs.Entries.Where(e => e.Category == typeof(RejectedKeyLog).FullName).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains("49 more refused", lines[1].Message, StringComparison.Ordinal);
        Assert.All(lines, l => Assert.Null(l.Exception));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Category == typeof(ApiKeyAuthenticationHandler).FullName);
    }
}
