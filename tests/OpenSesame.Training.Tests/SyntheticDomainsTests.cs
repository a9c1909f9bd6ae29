using OpenSesame.Predictor.Specs;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class SyntheticDomainsTests
{
    public static TheoryData<string> DomainNames() => new(SyntheticDomains.All.Select(d => d.Name));

    [Fact]
    public void There_are_at_least_twenty_domains() =>
        Assert.True(SyntheticDomains.All.Count >= 20, $"only {SyntheticDomains.All.Count} domains are embedded");

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_domain_spec_parses_with_15_to_40_documented_operations(string name)
    {
        var catalog = OpenApiCatalogParser.Parse(SyntheticDomains.Get(name).SpecText);

        Assert.InRange(catalog.Operations.Count, 15, 40);
        Assert.All(catalog.Operations, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.OperationId), $"{o.Key} has no operationId");
            Assert.False(string.IsNullOrWhiteSpace(o.Summary), $"{o.Key} has no summary");
            Assert.NotEmpty(o.Tags);
        });
        Assert.Equal(catalog.Operations.Count, catalog.Operations.Select(o => o.OperationId).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_operation_key_a_workflow_names_exists_in_its_spec(string name)
    {
        var domain = SyntheticDomains.Get(name);
        var workflow = domain.Workflow;
        var named = workflow.Start.Keys
            .Concat(workflow.Operations.Keys)
            .Concat(workflow.Unreachable.Keys)
            .Concat(workflow.Operations.Values.SelectMany(s => s.Next.Keys.Concat(s.After.Keys).Concat(s.After.Values.SelectMany(o => o.Keys))))
            .Concat(workflow.Goals.SelectMany(g => g.Operations))
            .Where(k => k != SyntheticWorkflow.End)
            .Distinct();

        Assert.All(named, key => Assert.True(WorkflowValidator.FindOperation(domain.Catalog, key) is not null, $"{key} is not in the spec"));
    }

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_spec_operation_is_reachable_or_listed_unreachable_with_a_reason(string name)
    {
        var domain = SyntheticDomains.Get(name);
        var reachable = domain.Workflow.Reachable();

        Assert.All(domain.Catalog.Operations, o => Assert.True(
            reachable.Contains(o.Key) || !string.IsNullOrWhiteSpace(domain.Workflow.Unreachable.GetValueOrDefault(o.Key)),
            $"{o.Key} is neither reachable nor listed unreachable with a reason"));
    }

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_transition_weight_is_positive(string name)
    {
        var workflow = SyntheticDomains.Get(name).Workflow;
        var weights = workflow.Start.Values
            .Concat(workflow.Operations.Values.SelectMany(s => s.Next.Values.Concat(s.After.Values.SelectMany(o => o.Values))));

        Assert.All(weights, w => Assert.True(w > 0 && double.IsFinite(w), $"weight {w}"));
    }

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_workflow_binds_its_slots_parameters_phrasings_and_goals(string name)
    {
        var problems = WorkflowValidator.Problems(SyntheticDomains.Get(name));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(DomainNames))]
    public void Every_domain_has_goals_that_involve_several_operations(string name)
    {
        var goals = SyntheticDomains.Get(name).Workflow.Goals;

        Assert.True(goals.Count >= 6, $"{goals.Count} goals");
        Assert.True(goals.Count(g => g.Operations.Count >= 3) >= 3, "most tasks take several calls");
    }

    [Fact]
    public void Domains_differ_in_api_style()
    {
        var operations = SyntheticDomains.All.SelectMany(d => d.Catalog.Operations.Select(o => (Domain: d.Name, Operation: o))).ToList();
        var parameterNames = operations.SelectMany(x => x.Operation.Path.Slots.Select(s => s.Name)).ToHashSet();
        var firstSegments = SyntheticDomains.All
            .Select(d => d.Catalog.Operations.GroupBy(o => o.Path.Segments[0]).MaxBy(g => g.Count())!.Key)
            .ToHashSet();

        Assert.Contains("id", parameterNames);
        Assert.Contains(parameterNames, n => n.Contains('_', StringComparison.Ordinal));
        Assert.Contains(parameterNames, n => n.Any(char.IsUpper));
        Assert.Contains(parameterNames, n => !n.Contains('_', StringComparison.Ordinal) && !n.Any(char.IsUpper) && n != "id");
        Assert.True(firstSegments.Count >= 8, $"leading segments: {string.Join(", ", firstSegments)}");
        Assert.Contains(operations, x => x.Operation.Path.Depth >= 6);
        Assert.Contains(SyntheticDomains.All, d => d.Catalog.Operations.All(o => o.Path.Slots.Count == 0 && o.PathTemplate.Contains('.', StringComparison.Ordinal)));
        foreach (var method in new[] { "PUT", "PATCH", "DELETE" })
        {
            Assert.Contains(operations, x => x.Operation.Method == method);
        }

        Assert.Contains(operations, x => x.Operation.Kind == OperationKind.Search);
        Assert.Contains(operations, x => x.Operation.Parameters.Any(p => p.Name is "cursor" or "starting_after" or "page" or "pageToken" or "offset"));
    }
}
