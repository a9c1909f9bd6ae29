using System.Text.Json;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Critique;

/// <summary>
/// Fills a candidate's parameters from what the user already showed us: path parameters from history ids (by name,
/// then by the entity they identify), query and body parameters from earlier calls that sent the same field.
/// Required parameters nobody knows are listed with a null value, never invented.
/// </summary>
internal static class ParameterFiller
{
    public static void Fill(PredictionContext context, Candidate candidate)
    {
        candidate.Params.Clear();
        foreach (var slot in candidate.Operation.Path.Slots)
        {
            // An id the prompt names ("send invoice in_456") is the user's latest word and beats the history.
            candidate.Params[slot.Name] = PromptValues.Find(context.Prompt, [slot.Name, slot.Entity])
                ?? (context.Values.ForSlot(slot) is { } known ? ToValue(known.Value) : null);
        }

        foreach (var parameter in candidate.Operation.Parameters)
        {
            if (parameter.In is ParameterLocation.Path or ParameterLocation.Header or ParameterLocation.Cookie
                || candidate.Params.ContainsKey(parameter.Name))
            {
                continue;
            }

            if (PromptValues.Find(context.Prompt, [parameter.Name]) is { } stated)
            {
                candidate.Params[parameter.Name] = stated;
            }
            else if (!IsBareId(parameter.Name) && context.Values.ForName(parameter.Name) is { } known)
            {
                candidate.Params[parameter.Name] = ToValue(known.Value);
            }
            else if (parameter.Required)
            {
                candidate.Params[parameter.Name] = null;
            }
        }
    }

    // A query "id" on one operation says nothing about the "id" of another call's resource.
    private static bool IsBareId(string name) => name.Equals("id", StringComparison.OrdinalIgnoreCase);

    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value,
    };
}
