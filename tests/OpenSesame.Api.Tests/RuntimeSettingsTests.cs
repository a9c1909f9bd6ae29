using System.Text.Json.Nodes;

namespace OpenSesame.Api.Tests;

public sealed class RuntimeSettingsTests
{
    // The service's own runtime settings, as its build writes them next to the binary (and copies into this test's
    // output): the tests host the service in their own process, which reads its own.
    private static JsonNode Properties() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "OpenSesame.Api.runtimeconfig.json")))!
            ["runtimeOptions"]!["configProperties"]!;

    [Fact]
    public void TheServiceRunsTheServerCollectorAskedToCompactEarly()
    {
        var properties = Properties();

        Assert.True((bool?)properties["System.GC.Server"]);
        Assert.Equal(7, (int?)properties["System.GC.ConserveMemory"]);
    }
}
