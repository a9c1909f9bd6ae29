using System.Text.Json;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Fills a candidate's parameters from what the user already showed us: path parameters from history ids (by name,
/// then by the entity they identify), query and body parameters from earlier calls that sent the same field. A
/// generator's proposed values come last and only for parameters the operation declares, in a form their schema
/// accepts; a proposed path id only when the history or the prompt holds it. Required parameters nobody knows are
/// listed with a null value, never invented.
/// </summary>
internal static class ParameterFiller
{
    /// <param name="seen">Every value the user showed us in this request; a proposed path id must be among them.</param>
    public static Dictionary<string, object?> Fill(PredictionContext context, PooledCandidate candidate, Lazy<SeenValues> seen)
    {
        var filled = new Dictionary<string, object?>(StringComparer.Ordinal);
        var operation = candidate.Operation;
        var proposed = Proposed(operation, candidate.ProposedParams);
        foreach (var slot in operation.Path.Slots)
        {
            // An id the prompt names ("send invoice in_456") is the user's latest word and beats the history.
            var value = PromptValues.Find(context.Prompt, [slot.Name, slot.Entity])
                ?? (context.Values.ForSlot(slot) is { } known ? ToValue(known.Value) : null);
            if (value is null && proposed.TryGetValue(slot.Name, out var suggestion)
                && IdText(suggestion) is { } id && seen.Value.Contains(id)
                && ParameterSchema.TryConform(Declared(operation, slot.Name, ParameterLocation.Path), suggestion, out var typed))
            {
                value = typed;
            }

            filled[slot.Name] = value;
        }

        foreach (var parameter in operation.Parameters)
        {
            if (parameter.In is ParameterLocation.Path or ParameterLocation.Header or ParameterLocation.Cookie
                || filled.ContainsKey(parameter.Name))
            {
                continue;
            }

            if (PromptValues.Find(context.Prompt, [parameter.Name]) is { } stated)
            {
                filled[parameter.Name] = stated;
            }
            else if (!IsBareId(parameter.Name) && context.Values.ForName(parameter.Name) is { } known)
            {
                filled[parameter.Name] = ToValue(known.Value);
            }
            else if (proposed.TryGetValue(parameter.Name, out var suggestion)
                     && ParameterSchema.TryConform(parameter, suggestion, out var typed))
            {
                filled[parameter.Name] = typed;
            }
            else if (parameter.Required)
            {
                filled[parameter.Name] = null;
            }
        }

        return filled;
    }

    /// <summary>
    /// Proposed values by the name the operation declares: the same name, else the one declared name it differs
    /// from only in case and separators (invoiceId → invoice_id), else, for a path parameter, the one naming the same
    /// entity (invoice_id → {invoice}). Names that fit none, or several, are dropped.
    /// </summary>
    internal static Dictionary<string, JsonElement> Proposed(ApiOperation operation, IReadOnlyDictionary<string, JsonElement> proposals)
    {
        var mapped = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (proposals.Count == 0)
        {
            return mapped;
        }

        var declared = operation.Path.Slots.Select(s => s.Name)
            .Concat(operation.Parameters.Where(p => p.In is not (ParameterLocation.Header or ParameterLocation.Cookie)).Select(p => p.Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var (name, value) in proposals)
        {
            if (declared.Contains(name, StringComparer.Ordinal))
            {
                mapped[name] = value;
            }
        }

        foreach (var (name, value) in proposals)
        {
            if (declared.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var key = Tokenizer.NameKey(name);
            var byName = declared.Where(d => Tokenizer.NameKey(d) == key).ToList();
            var target = byName.Count == 1 ? byName[0] : null;
            if (byName.Count == 0 && !IsBareId(name))
            {
                var entity = PathShape.EntityOf(name, null);
                var byEntity = operation.Path.Slots.Where(s => s.Entity == entity).ToList();
                target = byEntity.Count == 1 ? byEntity[0].Name : null;
            }

            if (target is not null)
            {
                mapped.TryAdd(target, value);
            }
        }

        return mapped;
    }

    private static ApiParameter? Declared(ApiOperation operation, string name, ParameterLocation location) =>
        operation.Parameters.FirstOrDefault(p => p.In == location && p.Name == name);

    // What an id looks like on the wire; true, objects and lists identify nothing.
    private static string? IdText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    // A query "id" on one operation says nothing about the "id" of another call's resource.
    private static bool IsBareId(string name) => name.Equals("id", StringComparison.OrdinalIgnoreCase);

    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value,
    };
}
