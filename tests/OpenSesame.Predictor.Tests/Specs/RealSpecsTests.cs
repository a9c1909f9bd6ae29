using System.Text.Json;
using OpenSesame.Predictor.Specs;
using YamlDotNet.RepresentationModel;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class RealSpecsTests
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    public static TheoryData<string> SpecFiles()
    {
        var data = new TheoryData<string>();
        if (EvalData.Folder is null)
        {
            data.Add("(evaldata missing)");
            return data;
        }

        foreach (var folder in new[] { "specs", "restbench/specs" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(EvalData.Folder, folder), "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)
                                     || f.EndsWith(".yml", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(EvalData.Folder, file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void EverySharedSpecLoadsWithEveryOperationOfItsPaths(string relativePath)
    {
        var path = EvalData.PathOf(relativePath);
        var content = File.ReadAllText(path);

        var catalog = OpenApiCatalogParser.Parse(content);

        Assert.Equal(IndependentOperationCount(content), catalog.Operations.Count);
        Assert.All(catalog.Operations, o => Assert.StartsWith("/", o.PathTemplate, StringComparison.Ordinal));
    }

    // Counts method keys under "paths" with a plain JSON/YAML reader, sharing nothing with the parser under test.
    private static int IndependentOperationCount(string content)
    {
        if (content.TrimStart().StartsWith('{'))
        {
            using var json = JsonDocument.Parse(content);
            return json.RootElement.GetProperty("paths").EnumerateObject()
                .Sum(p => p.Value.EnumerateObject().Count(m => HttpMethods.Contains(m.Name)));
        }

        var yaml = new YamlStream();
        yaml.Load(new StringReader(content));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var paths = (YamlMappingNode)root.Children[new YamlScalarNode("paths")];
        return paths.Children.Values.OfType<YamlMappingNode>()
            .Sum(item => item.Children.Keys.OfType<YamlScalarNode>().Count(k => HttpMethods.Contains(k.Value)));
    }
}
