using System.Text.Json;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>Walks the scalar values of JSON parameters with the path a client would name them by
/// (<c>params.customer.emails[1]</c>) and the field name that gives them context.</summary>
internal static class PiiJson
{
    public delegate void ScalarVisitor(string path, string text, PiiFieldHint hint);

    public static void VisitScalars(JsonElement element, string path, string? field, ScalarVisitor visit)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    VisitScalars(property.Value, $"{path}.{property.Name}", property.Name, visit);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    VisitScalars(item, $"{path}[{i++}]", field, visit);
                }

                break;
            case JsonValueKind.String:
                visit(path, element.GetString()!, PiiDetector.HintFor(field));
                break;
            case JsonValueKind.Number:
                visit(path, element.GetRawText(), PiiDetector.HintFor(field));
                break;
            default:
                break;
        }
    }
}
