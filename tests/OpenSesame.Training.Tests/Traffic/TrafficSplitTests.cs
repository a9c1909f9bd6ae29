using OpenSesame.Training.Traffic;

namespace OpenSesame.Training.Tests.Traffic;

public sealed class TrafficSplitTests
{
    private static int _line;

    private static RecordedSession Session(string repository, params string?[] templates) =>
        new($"{repository}@c0ffee:t{++_line}.yml", "github", "spec.yaml", null,
            [.. templates.Select(t => new RecordedCall("GET", "/x", new Dictionary<string, string>(), [], t, 200))], "github.jsonl", _line);

    [Fact]
    public void ValidationIsTheHeldOutRepositoriesAndTrainingEveryOther()
    {
        var sessions = new[]
        {
            Session("hub4j/github-api", "GET /user", "GET /user/repos"),
            Session("octokit/octokit.rb", "GET /user", "GET /user/orgs"),
            Session("pay-rails/pay", "POST /v1/customers", "GET /v1/customers/{customer}"),
            Session("spree/spree_stripe", "POST /v1/customers", "POST /v1/payment_intents"),
        };

        var split = TrafficSplit.Create(sessions);

        Assert.Equal([sessions[0], sessions[2]], split.Train);
        Assert.Equal([sessions[1], sessions[3]], split.Validation);
        Assert.Equal((2, 2, 0), (split.TrainCount, split.ValidationCount, split.DroppedCount));
    }

    [Fact]
    public void DuplicatesSyntheticAndSingleCallSessionsAreDroppedWithTheirReasons()
    {
        var first = Session("hub4j/github-api", "GET /user", "GET /user/repos");
        var again = Session("hub4j/github-api", "GET /user", "GET /user/repos");
        var synthetic = Session("hub4j/github-api", "GET /rate_limit", "GET /user") with { SuspectSynthetic = "simulation" };
        var single = Session("hub4j/github-api", "GET /user");
        var leaked = Session("octokit/octokit.rb", "GET /user", "GET /user/repos");
        var held = Session("octokit/octokit.rb", "GET /user", null);
        var heldAgain = Session("octokit/octokit.rb", "GET /user", null);
        // A training session after the validation one still takes its sequence away from validation.
        var lateValidation = Session("octokit/octokit.rb", "GET /gists", "GET /gists/{gist_id}");
        var lateTraining = Session("hub4j/github-api", "GET /gists", "GET /gists/{gist_id}");

        var split = TrafficSplit.Create([first, again, synthetic, single, leaked, held, heldAgain, lateValidation, lateTraining]);

        Assert.Equal([first, lateTraining], split.Train);
        Assert.Equal([held], split.Validation);
        Assert.Equal(
            [
                (again, TrafficPart.Train, TrafficSplit.DuplicateReason),
                (synthetic, TrafficPart.Train, TrafficSplit.SuspectSyntheticReason),
                (single, TrafficPart.Train, TrafficSplit.TooShortReason(2)),
                (leaked, TrafficPart.Validation, TrafficSplit.InTrainingReason),
                (heldAgain, TrafficPart.Validation, TrafficSplit.DuplicateReason),
                (lateValidation, TrafficPart.Validation, TrafficSplit.InTrainingReason),
            ],
            split.Dropped.Select(d => (d.Session, d.Part, d.Reason)));
        Assert.Equal(2, split.DroppedByReason[$"validation: {TrafficSplit.InTrainingReason}"]);
    }

    [Fact]
    public void TheHeldOutRepositoriesAreAnOption()
    {
        var sessions = new[] { Session("hub4j/github-api", "GET /user", "GET /user/repos"), Session("octokit/octokit.rb", "GET /user", "GET /user/orgs") };

        var split = TrafficSplit.Create(sessions, new TrafficSplitOptions { ValidationRepositories = ["HUB4J/github-api"] });

        Assert.Equal([sessions[1]], split.Train);
        Assert.Equal([sessions[0]], split.Validation);
        Assert.Equal(["octokit/octokit.rb", "spree/spree_stripe"], new TrafficSplitOptions().ValidationRepositories);
    }

    [Fact]
    public void TheSharedTrafficSplitsTheSameWayEveryTime()
    {
        var sessions = RecordedTraffic.Read(Path.Combine(EvalData.PathOf(".."), "traffic", "sessions")).Sessions;

        var split = TrafficSplit.Create(sessions);
        var again = TrafficSplit.Create(sessions);

        // Printed in docs/EVALUATION.md: 435 training and 278 validation sessions of the 1,674.
        Assert.Equal((435, 278, 961), (split.TrainCount, split.ValidationCount, split.DroppedCount));
        Assert.Equal(split.Train, again.Train);
        Assert.Equal(split.Validation, again.Validation);
        Assert.All(split.Validation, s => Assert.Contains(s.Repository, TrafficSplitOptions.DefaultValidationRepositories));
        Assert.DoesNotContain(split.Train, s => s.SuspectSynthetic is not null);
    }
}
