using System.Text.RegularExpressions;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using OpenSesame.Predictor.Features;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace OpenSesame.Architecture.Tests;

/// <summary>
/// Inside the online path, each namespace is a stage or a service a stage calls, and each may use only the ones
/// listed before it: the data of a request flows up this list and never back. Read from the compiled code, so a
/// dependency through a type name, a constant or a lambda counts as much as a <c>using</c>.
/// </summary>
public sealed class OnlinePathLayeringTests
{
    private const string Root = "OpenSesame.Predictor";

    /// <summary>Bottom first. Namespaces in one row are independent of each other; a later row may use any earlier one.
    /// docs/ARCHITECTURE.md draws the same list.</summary>
    private static readonly string[][] Layers =
    [
        ["Telemetry"],
        ["Caching", "Storage"],
        ["Specs"],
        ["Guardrails", "Guardrails.Privacy", "Guardrails.Injection", "Guardrails.Destructive", "Guardrails.Audit"],
        ["Semantics", "Routing"],
        ["Context"],
        ["Usage", "Features"],
        ["Candidates"],
        ["Critique"],
        ["Ranking"],
        ["Candidates.Llm", "Outcomes"],
        ["Prediction", "Learning"],
    ];

    private static readonly System.Reflection.Assembly OnlinePath = typeof(RequestFeatures).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Architecture = new ArchLoader().LoadAssemblies(OnlinePath).Build();

    public static TheoryData<string> Namespaces => [.. Layers.SelectMany(layer => layer)];

    [Fact]
    public void NamespacesOfTheOnlinePathDependOnEachOtherWithoutCycles() =>
        SliceRuleDefinition.Slices().Matching(Root + ".(**)").Should().BeFreeOfCycles().Check(Architecture);

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void EachNamespaceUsesOnlyTheLayersBelowIt(string name)
    {
        var layer = Array.FindIndex(Layers, row => row.Contains(name));
        var forbidden = Layers.Skip(layer + 1).SelectMany(row => row)
            .Concat(Layers[layer].Where(other => other != name))
            .ToList();

        Types().That().ResideInNamespaceMatching(Exactly(name))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(Exactly([.. forbidden])))
            .Check(Architecture);
    }

    [Fact]
    public void EveryNamespaceOfTheOnlinePathHasItsPlaceInTheLayers()
    {
        var placed = Namespaces.Select(row => Root + "." + row.Data).ToHashSet(StringComparer.Ordinal);

        var unplaced = OnlinePath.GetTypes()
            .Select(type => type.Namespace)
            .OfType<string>()
            .Where(ns => ns != Root && ns.StartsWith(Root + ".", StringComparison.Ordinal) && !placed.Contains(ns))
            .Distinct();

        // The root namespace is the composition root (AddPredictor): it wires every layer and nothing depends on it.
        Assert.Empty(unplaced);
    }

    [Fact]
    public void NothingInTheOnlinePathDependsOnItsCompositionRoot() =>
        Types().That().ResideInNamespaceMatching($"^{Regex.Escape(Root)}\\..+$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($"^{Regex.Escape(Root)}$"))
            .Check(Architecture);

    private static string Exactly(params string[] names) =>
        $"^{Regex.Escape(Root)}\\.({string.Join('|', names.Select(Regex.Escape))})$";
}
