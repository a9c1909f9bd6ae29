using OpenSesame.Training.Traffic;

namespace OpenSesame.Training.Tests.Traffic;

public sealed class RecordedTrafficTests
{
    private const string Good = """
        {"source": "o/client@abc123:test/a.yml", "api": "stripe", "spec": "evaldata/specs/stripe.yaml", "suspect_synthetic": null, "calls": [{"method": "post", "path": "/v1/customers", "query": {"expand[]": ["data.x", "data.y"], "limit": 3}, "body_keys": ["email"], "template": "POST /v1/customers", "status": 200}, {"method": "GET", "path": "/v1/customers/cus_1", "query": {}, "body_keys": [], "template": null, "status": "404"}]}
        """;

    private static string SessionsFolder => Path.Combine(EvalData.PathOf(".."), "traffic", "sessions");

    [Fact]
    public void ReadsEveryFieldOfASession()
    {
        using var temp = new TempFolder();
        var file = temp.Write("stripe.jsonl", Good + "\n");

        var traffic = RecordedTraffic.Read(file);

        Assert.Empty(traffic.Problems);
        var session = Assert.Single(traffic.Sessions);
        Assert.Equal(("o/client", "stripe", "evaldata/specs/stripe.yaml", (string?)null), (session.Repository, session.Api, session.Spec, session.SuspectSynthetic));
        Assert.Equal((file, 1), (session.File, session.Line));
        var first = session.Calls[0];
        Assert.Equal(("POST", "/v1/customers", "POST /v1/customers", (int?)200), (first.Method, first.Path, first.Template, first.Status));
        Assert.Equal(new Dictionary<string, string> { ["expand[]"] = "[\"data.x\",\"data.y\"]", ["limit"] = "3" }, first.Query);
        Assert.Equal(["email"], first.BodyKeys);
        Assert.Equal(["POST /v1/customers", null], session.TemplateSequence);
        Assert.Equal(404, session.Calls[1].Status);
    }

    [Fact]
    public void AMalformedLineOrCallIsSkippedAndReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var badCall = Good.Replace("{\"method\": \"GET\", \"path\": \"/v1/customers/cus_1\"", "{\"method\": \"GET\", \"path\": 7", StringComparison.Ordinal);
        var noCalls = """{"source": "o/client@abc:b.yml", "api": "stripe", "spec": "s.yaml"}""";
        var file = temp.Write("stripe.jsonl", string.Join('\n', Good, "{oops", "", "[]", noCalls, badCall));

        var traffic = RecordedTraffic.Read(file);

        Assert.Equal([1, 6], traffic.Sessions.Select(s => s.Line));
        Assert.Single(traffic.Sessions[1].Calls);
        Assert.Equal([(2, (int?)null), (4, null), (5, null), (6, 1)], traffic.Problems.Select(p => (p.Line, p.CallIndex)));
        Assert.Equal([true, true, true, false], traffic.Problems.Select(p => p.SkipsSession));
        Assert.StartsWith($"{file}:6: call 1: the field 'path'", traffic.Problems[3].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("not valid JSON", traffic.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderIsEveryJsonlFileInItInNameOrder()
    {
        using var temp = new TempFolder();
        temp.Write("traffic/b.jsonl", Good);
        temp.Write("traffic/a.jsonl", Good.Replace("test/a.yml", "test/first.yml", StringComparison.Ordinal));
        temp.Write("traffic/notes.txt", "not sessions");

        var traffic = RecordedTraffic.Read(temp.PathOf("traffic"));

        Assert.Equal([temp.PathOf("traffic/a.jsonl"), temp.PathOf("traffic/b.jsonl")], traffic.Files);
        Assert.Equal(["o/client@abc123:test/first.yml", "o/client@abc123:test/a.yml"], traffic.Sessions.Select(s => s.Source));
    }

    [Fact]
    public void AMissingFileOrFolderThrowsNamingIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => RecordedTraffic.Read("/no/such/traffic.jsonl"));

        Assert.Contains("/no/such/traffic.jsonl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSharedSessionsAreReadWithoutAProblem()
    {
        var traffic = RecordedTraffic.Read(SessionsFolder);

        Assert.Empty(traffic.Problems);
        Assert.Equal(1674, traffic.Sessions.Count);
        Assert.Equal(6252, traffic.Sessions.Sum(s => s.Calls.Count));
    }
}
