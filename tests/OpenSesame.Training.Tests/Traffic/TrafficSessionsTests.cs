using OpenSesame.Training.Traffic;

namespace OpenSesame.Training.Tests.Traffic;

public sealed class TrafficSessionsTests
{
    private static RecordedCall Call(string method, string path, string? template) =>
        new(method, path, new Dictionary<string, string> { ["per_page"] = "100" }, [], template, 200);

    private static RecordedSession Session(params RecordedCall[] calls) =>
        new("hub4j/github-api@c0ffee:t.json", "github", "evaldata/specs/github.yaml", null, calls, "github.jsonl", 1);

    [Fact]
    public void ARecordedSessionBecomesATrainingSessionOfItsSpecWithoutPromptsAndWithItsConcretePathsAndQuery()
    {
        var converted = TrafficSessions.ToTrainingSessions([Session(
            Call("GET", "/repos/o/r", "GET /repos/{owner}/{repo}"),
            Call("GET", "/repos/o/r/issues", "GET /repos/{owner}/{repo}/issues"))]).Single();

        Assert.Equal("evaldata/specs/github.yaml", converted.Domain);
        Assert.Equal(["GET /repos/{owner}/{repo}", "GET /repos/{owner}/{repo}/issues"], converted.Calls.Select(c => c.Key));
        Assert.Equal(["/repos/o/r", "/repos/o/r/issues"], converted.Calls.Select(c => c.Path));
        Assert.All(converted.Calls, c => Assert.Equal("100", c.Params["per_page"]));
        Assert.All(converted.Prompts, Assert.Null);
    }

    [Fact]
    public void CallsTheSpecLacksAreLeftOutAndAHeadCountsAsTheGetItWasMappedTo()
    {
        var converted = TrafficSessions.ToTrainingSessions([Session(
            Call("HEAD", "/", "GET /"),
            Call("GET", "/meta/unknown", null),
            Call("GET", "/user", "GET /user"))]).Single();

        Assert.Equal(["GET /", "GET /user"], converted.Calls.Select(c => c.Key));
    }

    [Fact]
    public void ASessionLeftWithFewerThanTwoCallsTeachesNoTransitionAndIsDropped() =>
        Assert.Empty(TrafficSessions.ToTrainingSessions([Session(Call("GET", "/user", "GET /user"), Call("GET", "/x", null))]));
}
