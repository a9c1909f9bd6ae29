using System.Reflection;

namespace OpenSesame.Architecture.Tests;

/// <summary>
/// The projects depend one way: hosts → storage providers, training, evaluation → the online path. These read the
/// references the compiler actually emitted, so a dependency that sneaks in through a type (not only a project
/// reference) fails here.
/// </summary>
public sealed class AssemblyLayeringTests
{
    private const string Predictor = "OpenSesame.Predictor";
    private const string Sqlite = "OpenSesame.Storage.Sqlite";
    private const string Redis = "OpenSesame.Storage.Redis";
    private const string Postgres = "OpenSesame.Storage.Postgres";
    private const string Training = "OpenSesame.Training";
    private const string Evaluation = "OpenSesame.Evaluation";
    private const string Api = "OpenSesame.Api";
    private const string Cli = "opensesame";

    /// <summary>Which product assemblies each one may reference; anything else of the product is a layering error.</summary>
    public static TheoryData<string, string[]> Allowed => new()
    {
        { Predictor, [] },
        { Sqlite, [Predictor] },
        { Redis, [Predictor] },
        { Postgres, [Predictor] },
        { Training, [Predictor] },
        { Evaluation, [Predictor, Training] },
        { Api, [Predictor, Sqlite, Redis, Postgres] },
        { Cli, [Predictor, Sqlite, Postgres, Training, Evaluation] },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void EachAssemblyReferencesOnlyTheProductAssemblies(string assembly, string[] allowed)
    {
        var product = Allowed.Select(row => row.Data.Item1).ToHashSet(StringComparer.Ordinal);

        var referenced = References(assembly).Where(product.Contains);

        Assert.Empty(referenced.Except(allowed, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Predictor)]
    [InlineData(Api)]
    [InlineData(Sqlite)]
    [InlineData(Redis)]
    [InlineData(Postgres)]
    public void TheServingAssembliesNeverLoadTheModelTrainer(string assembly)
    {
        // ML.NET's training stack; its tokenizers and ONNX runtime are inference libraries and allowed.
        var trainer = References(assembly).Where(name => name is "Microsoft.ML" or "Microsoft.ML.Core" or "Microsoft.ML.Data"
            or "Microsoft.ML.LightGbm" or "Microsoft.ML.FastTree" or "Microsoft.ML.StandardTrainers");

        Assert.Empty(trainer);
    }

    [Fact]
    public void TheOnlinePathHasNoStorageEngineAndNoWebFramework()
    {
        var forbidden = References(Predictor).Where(name => name.StartsWith("Microsoft.Data.", StringComparison.Ordinal)
            || name.StartsWith("Npgsql", StringComparison.Ordinal) || name.StartsWith("StackExchange.Redis", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        Assert.Empty(forbidden);
    }

    private static IEnumerable<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(reference => reference.Name!);
}
