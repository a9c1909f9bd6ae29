using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Training.Synthetic;

namespace OpenSesame.Predictor.Tests.Training;

public sealed class SyntheticDomainsTests
{
    public static TheoryData<string> DomainNames() => new(SyntheticDomains.All.Select(d => d.Name));

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
}
