using BenchmarkDotNet.Attributes;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Benchmarks;

/// <summary>A cold parse: the text of a real spec to a catalog with its path matcher (what a cache miss costs).</summary>
[MemoryDiagnoser]
public class SpecParseBenchmarks
{
    private string _content = "";

    [Params("stripe", "github")]
    public string Spec { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _content = File.ReadAllText(SharedSpecs.PathOf(Spec));

    [Benchmark]
    public int ParseCatalog() => OpenApiCatalogParser.Parse(_content).Operations.Count;
}
