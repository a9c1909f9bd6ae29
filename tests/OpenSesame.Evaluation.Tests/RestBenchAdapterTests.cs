using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class RestBenchAdapterTests
{
    [Fact]
    public void LoadsTheHundredTmdbTasksAndEveryGoldCallMapsToTheSpec()
    {
        var run = EvalRun.Of("restbench", EvalData.PathOf("restbench/datasets/tmdb.json"));

        Assert.Equal(100, run.Tasks.Count);
        Assert.Equal(226, run.GoldCalls); // SOURCES.md: lengths 1:5, 2:66, 3:27, 4:2
        Assert.Equal(226, run.Cases.Count);
        Assert.Equal(0, run.Report.UnmappedCalls);
        Assert.Empty(run.Report.LooseMatches);
        Assert.All(run.Tasks, t => Assert.EndsWith("tmdb_oas.json", t.Spec.FilePath, StringComparison.Ordinal));
    }

    [Fact]
    public void ATaskAsksForEachCallOfItsSolutionInOrder()
    {
        var run = EvalRun.Of("restbench", EvalData.PathOf("restbench/datasets/tmdb.json"));

        var task = run.Task("tmdb/0");
        Assert.Equal("give me the number of movies directed by Sofia Coppola", task.Prompt);
        Assert.Equal(["GET /search/person", "GET /person/{person_id}/movie_credits"], run.ExpectedOf("tmdb/0"));
        Assert.Equal(["GET /search/movie", "GET /movie/{movie_id}/credits"], run.ExpectedOf("tmdb/29"));
    }

    [Fact]
    public void RestBenchFixesTrailingSpacesAndMisnamedPathParameters()
    {
        var tasks = new RestBenchAdapter().Load(EvalData.PathOf("restbench/datasets/tmdb.json"), null).ToList();

        // The file has ' GET /movie/now_playing', 'GET /search/movie ' and GET /person/{movie_id}/movie_credits.
        Assert.Equal(["GET /movie/now_playing", "GET /movie/{movie_id}/images"], tasks[26].Gold.Select(c => c.Endpoint));
        Assert.Equal("GET /search/movie", tasks[29].Gold[0].Endpoint);
        Assert.Equal("GET /person/{person_id}/movie_credits", tasks[98].Gold[1].Endpoint);
        Assert.All(tasks.SelectMany(t => t.Gold), c => Assert.Equal(c.Path.Trim(), c.Path));
    }

    [Fact]
    public void ParameterNamesAreRenamedOnlyWhereTheRestOfThePathIsTheSpecs()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("tmdb_edge.json", """
            [{"query": "q", "solution": ["  GET   /person/{movie_id}/movie_credits  ", "GET /movie/{id}", "GET /persons/{movie_id}/movie_credits"]}]
            """);

        var task = Assert.Single(new RestBenchAdapter().Load(dataset, EvalData.PathOf("restbench/specs/tmdb_oas.json")));

        Assert.Equal(["GET /person/{person_id}/movie_credits", "GET /movie/{movie_id}", "GET /persons/{movie_id}/movie_credits"],
            task.Gold.Select(c => c.Endpoint));
    }

    [Fact]
    public void ASpotifyFileInAnyFolderWorksAgainstTheSpotifySpec()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("spotify.json", """
            [
              {"query": "Play my most played track", "solution": ["GET /me/top/{type}", " PUT /me/player/play"]},
              {"query": "Make a playlist of Adele's top tracks",
               "solution": ["GET /search", "GET /artists/{artist_id}/top-tracks ", "GET /me", "POST /users/{user_id}/playlists",
                            "POST /playlists/{id}/tracks"]}
            ]
            """);

        var run = EvalRun.Of("restbench", dataset, EvalData.PathOf("restbench/specs/spotify_oas.json"));

        Assert.Equal(2, run.Tasks.Count);
        Assert.Equal(0, run.Report.UnmappedCalls);
        Assert.Equal(["GET /me/top/{type}", "PUT /me/player/play"], run.ExpectedOf("spotify/0"));
        Assert.Equal(
            ["GET /search", "GET /artists/{id}/top-tracks", "GET /me", "POST /users/{user_id}/playlists", "POST /playlists/{playlist_id}/tracks"],
            run.ExpectedOf("spotify/1"));
        Assert.Equal("GET /artists/{id}/top-tracks", run.Task("spotify/1").Gold[1].Endpoint);
    }

    [Fact]
    public void WithoutAnOverrideTheSpotifySpecIsFoundInTheEvaldataFolder()
    {
        var expected = EvalData.PathOf("restbench/specs/spotify_oas.json");
        using var temp = new TempFolder();
        var dataset = temp.Write("held-out/spotify.json", """[{"query": "q", "solution": ["GET /me"]}]""");

        var task = Assert.Single(new RestBenchAdapter().Load(dataset, null));

        Assert.Equal(Path.GetFullPath(expected), task.Spec.FilePath);
    }

    [Fact]
    public void AFileNamedAfterNoKnownApiNeedsAnExplicitSpec()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("movies.json", "[]");

        var error = Assert.Throws<EvalDataException>(() => new RestBenchAdapter().Load(dataset, null));

        Assert.Contains("movies.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("tmdb", error.Message, StringComparison.Ordinal);
        Assert.Contains("spotify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingSpecOverrideIsNamed()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("tmdb.json", """[{"query": "q", "solution": ["GET /movie/popular"]}]""");
        var missing = temp.PathOf("nowhere/tmdb_oas.json");

        var error = Assert.Throws<EvalDataException>(() => new RestBenchAdapter().Load(dataset, missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonIsReportedWithFileAndLine()
    {
        using var temp = new TempFolder();
        var dataset = temp.Write("tmdb.json", "[\n  {\"query\": \"q\",\n   \"solution\": [\"GET /movie/popular\",]}\n]");

        var error = Assert.Throws<EvalDataException>(() => new RestBenchAdapter().Load(dataset, EvalData.PathOf("restbench/specs/tmdb_oas.json")));

        Assert.StartsWith($"{dataset}:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATaskWithoutASolutionAmongGoodOnesIsSkippedAndReported()
    {
        using var temp = new TempFolder();
        var spec = temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("tmdb_small.json", """
            [{"query": "list the pets", "solution": ["GET /pets"]},
             {"query": "no solution here"},
             "not a task",
             {"query": "adopt", "solution": ["GET /pets", "POST /pets/{petId}/adopt"]}]
            """);
        var report = new EvalReport();

        var tasks = new RestBenchAdapter().Load(dataset, spec, report).ToList();

        Assert.Equal(["tmdb_small/0", "tmdb_small/3"], tasks.Select(t => t.Id));
        Assert.Equal(2, report.Skipped["restbench: a malformed task (skipped)"].Count);
        Assert.Contains("task 1: the field 'solution'", report.Skipped["restbench: a malformed task (skipped)"].Examples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithoutAReadableTaskFailsWithTheFirstError()
    {
        using var temp = new TempFolder();
        var spec = temp.Write("pets.yaml", Specs.Pets);
        var dataset = temp.Write("tmdb_small.json", """[{"query": "no solution here"}]""");

        var error = Assert.Throws<EvalDataException>(() => new RestBenchAdapter().Load(dataset, spec, new EvalReport()).ToList());

        Assert.Contains("task 0: the field 'solution'", error.Message, StringComparison.Ordinal);
    }
}
