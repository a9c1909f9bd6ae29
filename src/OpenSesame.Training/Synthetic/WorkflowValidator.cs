using OpenSesame.Predictor.Specs;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// Everything that can be wrong in a hand-written workflow, checked against its spec, so a new domain fails in a test
/// with a readable list instead of producing odd sessions.
/// </summary>
internal static class WorkflowValidator
{
    public static List<string> Problems(SyntheticDomain domain)
    {
        var workflow = domain.Workflow;
        var catalog = domain.Catalog;
        var problems = new List<string>();
        if (workflow.Domain != domain.Name)
        {
            problems.Add($"the workflow says domain '{workflow.Domain}', the file is '{domain.Name}'");
        }

        foreach (var key in NamedKeys(workflow).Distinct(StringComparer.Ordinal))
        {
            if (FindOperation(catalog, key) is null)
            {
                problems.Add($"{key} is not an operation of the spec");
            }
        }

        foreach (var (where, weight) in Weights(workflow))
        {
            if (!(weight > 0) || double.IsInfinity(weight))
            {
                problems.Add($"{where} has weight {weight}; weights must be positive");
            }
        }

        var reachable = workflow.Reachable();
        foreach (var operation in catalog.Operations)
        {
            var listed = workflow.Unreachable.TryGetValue(operation.Key, out var reason);
            if (reachable.Contains(operation.Key) && listed)
            {
                problems.Add($"{operation.Key} is listed unreachable but a walk reaches it");
            }
            else if (!reachable.Contains(operation.Key) && (!listed || string.IsNullOrWhiteSpace(reason)))
            {
                problems.Add($"{operation.Key} is never reached and not listed unreachable with a reason");
            }
        }

        foreach (var key in reachable)
        {
            if (FindOperation(catalog, key) is { } operation)
            {
                CheckStep(workflow, key, operation, problems);
            }
        }

        CheckGenerators(workflow, catalog, problems);
        CheckGoals(workflow, catalog, problems);
        return problems;
    }

    public static ApiOperation? FindOperation(EndpointCatalog catalog, string key)
    {
        var space = key.IndexOf(' ', StringComparison.Ordinal);
        var operation = space > 0 ? catalog.Find(key[..space], key[(space + 1)..]) : null;

        // Find ignores case; workflow keys must spell the operation exactly as predictions will.
        return operation?.Key == key ? operation : null;
    }

    private static IEnumerable<string> NamedKeys(SyntheticWorkflow workflow)
    {
        foreach (var key in workflow.Start.Keys.Concat(workflow.Operations.Keys).Concat(workflow.Unreachable.Keys))
        {
            yield return key;
        }

        foreach (var step in workflow.Operations.Values)
        {
            foreach (var key in step.Next.Keys.Concat(step.After.Keys).Concat(step.After.Values.SelectMany(o => o.Keys)))
            {
                if (key != SyntheticWorkflow.End)
                {
                    yield return key;
                }
            }
        }

        foreach (var goal in workflow.Goals)
        {
            foreach (var key in goal.Operations)
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<(string Where, double Weight)> Weights(SyntheticWorkflow workflow)
    {
        foreach (var (key, weight) in workflow.Start)
        {
            yield return ($"start → {key}", weight);
        }

        foreach (var (from, step) in workflow.Operations)
        {
            foreach (var (to, weight) in step.Next)
            {
                yield return ($"{from} → {to}", weight);
            }

            foreach (var (previous, overrides) in step.After)
            {
                foreach (var (to, weight) in overrides)
                {
                    yield return ($"({previous}, {from}) → {to}", weight);
                }
            }
        }
    }

    private static void CheckStep(SyntheticWorkflow workflow, string key, ApiOperation operation, List<string> problems)
    {
        if (!workflow.Operations.TryGetValue(key, out var step))
        {
            problems.Add($"{key} is reachable but has no entry under operations");
            return;
        }

        if (!step.Next.Keys.Any(k => k != SyntheticWorkflow.End))
        {
            problems.Add($"{key} has no next operation besides {SyntheticWorkflow.End}");
        }

        if (step.Phrasings.Count == 0)
        {
            problems.Add($"{key} has no phrasings");
        }

        foreach (var slot in operation.Path.Slots.Where(s => workflow.EntityOf(s) is null))
        {
            problems.Add($"{key}: no entity carries {{{slot.Name}}} (inferred entity '{slot.Entity}')");
        }

        foreach (var entity in step.Creates.Concat(step.Picks).Where(e => !workflow.Entities.ContainsKey(e)))
        {
            problems.Add($"{key} creates or picks unknown entity '{entity}'");
        }

        var sent = operation.Parameters.Where(p => p.In is ParameterLocation.Query or ParameterLocation.Body).ToList();
        foreach (var (entity, name) in step.IdFromParam)
        {
            if (!step.Creates.Contains(entity, StringComparer.Ordinal) || !sent.Any(p => p.Name == name && p.Required))
            {
                problems.Add($"{key}: idFromParam needs '{entity}' among creates and '{name}' a required parameter");
            }
        }

        foreach (var name in step.Params.Keys.Where(n => !sent.Any(p => p.Name == n)))
        {
            problems.Add($"{key} has a generator for '{name}', which is not one of its query or body parameters");
        }

        foreach (var parameter in sent.Where(p => p.Required && workflow.GeneratorFor(key, p.Name) is null))
        {
            problems.Add($"{key}: required parameter '{parameter.Name}' has no generator");
        }

        foreach (var phrasing in step.Phrasings)
        {
            foreach (var name in PromptWriter.Placeholders(phrasing))
            {
                if (!workflow.Entities.ContainsKey(name) && !operation.Parameters.Any(p => p.Name == name && p.In != ParameterLocation.Header)
                    && !workflow.Vocabulary.ContainsKey(name))
                {
                    problems.Add($"{key}: phrasing '{phrasing}' names '{name}', which is no entity, parameter or vocabulary");
                }
            }
        }
    }

    private static void CheckGenerators(SyntheticWorkflow workflow, EndpointCatalog catalog, List<string> problems)
    {
        var generators = workflow.Params.Select(p => ($"params.{p.Key}", p.Value))
            .Concat(workflow.Operations.SelectMany(o => o.Value.Params.Select(p => ($"{o.Key} params.{p.Key}", p.Value))))
            .Concat(workflow.Entities.Select(e => ($"entity {e.Key}", e.Value.Id)));
        foreach (var (where, generator) in generators)
        {
            if (generator.Problem() is { } problem)
            {
                problems.Add($"{where}: {problem}");
            }

            if (generator.Entity is { } entity && !workflow.Entities.ContainsKey(entity))
            {
                problems.Add($"{where} names unknown entity '{entity}'");
            }
        }

        foreach (var (name, entity) in workflow.Entities)
        {
            foreach (var alias in entity.Params.Where(a => !catalog.Operations.Any(o => o.Path.Slots.Any(s => s.Name == a))))
            {
                problems.Add($"entity {name}: '{alias}' is no path parameter of the spec");
            }

            if (entity.Id.Kind is ValueKind.Entity or ValueKind.Cursor or ValueKind.Page or ValueKind.Bool or ValueKind.Date)
            {
                problems.Add($"entity {name}: a {entity.Id.Kind} generator cannot make ids");
            }
        }

        foreach (var (name, words) in workflow.Vocabulary.Where(v => v.Value.Count == 0))
        {
            problems.Add($"vocabulary '{name}' is empty ({words.Count} words)");
        }
    }

    private static void CheckGoals(SyntheticWorkflow workflow, EndpointCatalog catalog, List<string> problems)
    {
        var reachable = workflow.Reachable();
        foreach (var goal in workflow.Goals)
        {
            var label = goal.Texts.Count > 0 ? goal.Texts[0] : "(a goal without text)";
            if (goal.Texts.Count == 0 || goal.Operations.Count == 0)
            {
                problems.Add($"goal '{label}' needs texts and operations");
            }

            foreach (var name in goal.Texts.SelectMany(PromptWriter.Placeholders))
            {
                if (!workflow.Entities.ContainsKey(name) && !workflow.Vocabulary.ContainsKey(name))
                {
                    problems.Add($"goal '{label}' names '{name}', which is no entity or vocabulary");
                }
            }

            foreach (var key in goal.Operations.Where(k => FindOperation(catalog, k) is not null && !reachable.Contains(k)))
            {
                problems.Add($"goal '{label}' involves {key}, which no walk reaches");
            }
        }
    }
}
