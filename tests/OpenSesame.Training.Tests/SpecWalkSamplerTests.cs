using System.Diagnostics;
using OpenSesame.Predictor.Specs;
using OpenSesame.Testing;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class SpecWalkSamplerTests
{
    private const string Asana = "evaldata/specs/apis-guru/APIs/asana.com/1.0/openapi.yaml";
    private const string Trello = "evaldata/specs/apis-guru/APIs/trello.com/1.0/openapi.yaml";

    private static readonly string[] Evaluated =
        ["github.com", "stripe", "themoviedb", "tmdb", "spotify", "box-openapi", "slack", "calendar", "notion", "twitter", "restbench", "agent-diff", "nestful", "toolalpaca", "octokit"];

    private static string SharedFolder => Path.GetFullPath(Path.Combine(EvalData.PathOf("."), ".."));

    private static TrainingCatalogs Catalogs => TrainingCatalogs.For(SharedFolder);

    // The walk alone, so the checks below see what the walk did; client behaviours are tested apart.
    private static readonly SpecWalkOptions Bare = new() { Sessions = new SyntheticSamplerOptions { Behaviours = ClientBehaviourOptions.None } };

    [Theory]
    [InlineData(Asana)]
    [InlineData(Trello)]
    public void Every_call_is_an_operation_of_the_spec_on_a_concrete_path_matching_its_template(string spec)
    {
        var catalog = Catalogs.Get(spec).Catalog;

        var sessions = new SpecWalkSampler().Sample(catalog, spec, 300, seed: 4);

        Assert.Equal(300, sessions.Count);
        Assert.All(sessions, s =>
        {
            Assert.Equal(spec, s.Domain);
            Assert.Equal(s.Calls.Count, s.Prompts.Count);
            foreach (var call in s.Calls)
            {
                Assert.NotNull(catalog.Find(call.Method, call.PathTemplate));
                Assert.DoesNotContain("{", call.Path, StringComparison.Ordinal);
                // Where the spec declares one path twice under other placeholder names (Trello's
                // /boards/{idBoard}/cards/{filter} and .../{idCard}), the matcher may pick the twin.
                var match = catalog.Matcher.Match(call.Method, call.Path);
                Assert.True(match.Kind == MatchKind.Exact && Shape(match.Operation!.Key) == Shape(call.Key),
                    $"{call.Method} {call.Path} matched {match.Kind} {match.Operation?.Key}, not {call.Key}");
            }
        });
        Assert.True(sessions.SelectMany(s => s.Calls).Select(c => c.Key).Distinct().Count() > catalog.Operations.Count / 4,
            "the walks should reach a good part of the spec");
    }

    [Fact]
    public void Ids_flow_from_the_calls_that_produced_them_into_later_reads()
    {
        var catalog = Catalogs.Get(Asana).Catalog;
        var sessions = new SpecWalkSampler(Bare).Sample(catalog, Asana, 300, seed: 8);

        var reads = 0;
        var flowed = 0;
        foreach (var session in sessions)
        {
            var produced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var call in session.Calls)
            {
                var operation = catalog.Find(call.Method, call.PathTemplate)!;
                if (operation.Kind == OperationKind.Read && operation.Path.Slots.Count > 0 && produced.Count > 0)
                {
                    reads++;
                    var id = catalog.Matcher.Match(call.Method, call.Path).PathValues[operation.Path.Slots[^1].Name];
                    flowed += produced.Contains(id) ? 1 : 0;
                }

                produced.UnionWith(call.Produced.Values.SelectMany(ids => ids));
            }
        }

        Assert.True(reads > 100, $"only {reads} reads after something was produced");
        Assert.True(flowed > reads / 2, $"{flowed} of {reads} reads used an id an earlier call produced");
    }

    [Fact]
    public void Sessions_have_all_five_prompt_kinds_written_from_the_specs_own_words()
    {
        var catalog = Catalogs.Get(Asana).Catalog;
        var sessions = new SpecWalkSampler(Bare).Sample(catalog, Asana, 400, seed: 2);

        Assert.Equal(Enum.GetValues<SyntheticPromptKind>().Order(), sessions.Select(s => s.PromptKind).Distinct().Order());
        Assert.All(sessions.Where(s => s.PromptKind == SyntheticPromptKind.None), s => Assert.All(s.Prompts, Assert.Null));
        Assert.All(sessions.Where(s => s.PromptKind is SyntheticPromptKind.Goal or SyntheticPromptKind.Task),
            s => Assert.Single(s.Prompts.Distinct()));

        // Explicit prompts use the operations' summaries, so they share words with what the call does.
        var explicitSteps = sessions.Where(s => s.PromptKind == SyntheticPromptKind.Explicit)
            .SelectMany(s => s.Calls.Zip(s.Prompts)).Where(p => p.Second is not null).ToList();
        var sharing = explicitSteps.Count(p =>
        {
            var operation = catalog.Find(p.First.Method, p.First.PathTemplate)!;
            var words = Tokenizer.Words(operation.Summary + " " + operation.OperationId).Where(w => w.Length > 3).ToHashSet();
            return Tokenizer.Words(p.Second).Any(words.Contains);
        });
        Assert.True(sharing > explicitSteps.Count * 0.7, $"{sharing} of {explicitSteps.Count} explicit prompts share a word with their operation");
    }

    [Fact]
    public void The_same_seed_gives_the_same_sessions_and_another_seed_others()
    {
        var catalog = Catalogs.Get(Trello).Catalog;

        var first = Fingerprint(new SpecWalkSampler().Sample(catalog, Trello, 60, seed: 5));
        var again = Fingerprint(new SpecWalkSampler().Sample(catalog, Trello, 60, seed: 5));
        var other = Fingerprint(new SpecWalkSampler().Sample(catalog, Trello, 60, seed: 6));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Every_listed_real_spec_is_outside_the_evaluations_parses_and_walks()
    {
        Assert.InRange(TrainingCatalogs.RealSpecs.Count, 10, 20);
        foreach (var spec in TrainingCatalogs.RealSpecs)
        {
            Assert.StartsWith("evaldata/specs/", spec, StringComparison.Ordinal);
            Assert.DoesNotContain(Evaluated, e => spec.Contains(e, StringComparison.OrdinalIgnoreCase));
            var catalog = Catalogs.Get(spec).Catalog;
            Assert.True(catalog.Operations.Count >= 40, $"{spec} has only {catalog.Operations.Count} operations");
            var sessions = new SpecWalkSampler().Sample(catalog, spec, 20, seed: 1);
            Assert.All(sessions.SelectMany(s => s.Calls), c => Assert.NotNull(catalog.Find(c.Method, c.PathTemplate)));
        }
    }

    [Fact]
    public void A_spec_path_resolves_once_per_shared_folder_and_a_missing_one_names_the_folder()
    {
        Assert.Same(Catalogs.Get(Asana).Catalog, TrainingCatalogs.For(SharedFolder + "/.").Get(Asana).Catalog);
        Assert.Equal("billing", Catalogs.Get("billing").Name);

        var missing = Assert.Throws<FileNotFoundException>(() => Catalogs.Get("evaldata/specs/nowhere/openapi.yaml"));
        Assert.Contains(SharedFolder, missing.Message, StringComparison.Ordinal);
    }

    private static string Shape(string key) => System.Text.RegularExpressions.Regex.Replace(key, @"\{[^}]*\}", "{}");

    private static string Fingerprint(IEnumerable<SyntheticSession> sessions) =>
        string.Join('\n', sessions.Select(s =>
            $"{s.Domain}|{s.Goal}|{s.PromptKind}|{string.Join(';', s.Prompts)}|"
            + string.Join(';', s.Calls.Select(c => $"{c.Method} {c.Path} {c.Timestamp:O} {string.Join(',', c.Params.Select(p => $"{p.Key}={p.Value}"))}"))));
}
