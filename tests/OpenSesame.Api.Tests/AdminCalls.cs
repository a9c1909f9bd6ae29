using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OpenSesame.Api.Tests;

/// <summary>What the admin route tests send: predictions on the sample billing spec, and admin requests read as JSON.</summary>
internal static class AdminCalls
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A prediction after <paramref name="endpoints"/>, as user u-1 in <paramref name="session"/> (none when null).</summary>
    public static async Task PredictAsync(HttpClient client, string? session, params string[] endpoints)
    {
        using var response = await client.PostAsJsonAsync("/predict", new
        {
            spec_url = BillingSpec,
            events = endpoints.Select(e => new { endpoint = e }),
            k = 3,
            user_id = session is null ? null : "u-1",
            session_id = session,
        }, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
