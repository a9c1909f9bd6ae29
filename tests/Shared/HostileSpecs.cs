using System.Text.Json.Nodes;

namespace OpenSesame.Testing;

/// <summary>Spec documents shaped to cost a parser as much as possible: reference chains and circles, many
/// operations. JSON text, as a client sends it inline.</summary>
internal static class HostileSpecs
{
    /// <summary>The repro: <c>S0 → S1 → … → Sn</c>, each schema only a reference to the next; with
    /// <paramref name="used"/> the one operation's response points at the start of the chain.</summary>
    public static string ReferenceChain(int links, bool used = false)
    {
        var schemas = new JsonObject();
        for (var i = 0; i < links; i++)
        {
            schemas[$"S{i}"] = Ref("schemas", $"S{i + 1}");
        }

        schemas[$"S{links}"] = new JsonObject { ["type"] = "object" };
        return Document(Get(used ? Ref("schemas", "S0") : null), new JsonObject { ["schemas"] = schemas });
    }

    /// <summary>Components of one kind that refer to each other in a circle, used by the one operation.</summary>
    public static string Circle(string kind, int length = 2)
    {
        var components = new JsonObject();
        for (var i = 0; i < length; i++)
        {
            components[$"C{i}"] = Ref(kind, $"C{(i + 1) % length}");
        }

        var operation = new JsonObject { ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "ok" } } };
        switch (kind)
        {
            case "parameters":
                operation["parameters"] = new JsonArray(Ref(kind, "C0"));
                break;
            case "responses":
                operation["responses"] = new JsonObject { ["200"] = Ref(kind, "C0") };
                break;
            default:
                operation["responses"] = Response(Ref(kind, "C0"));
                break;
        }

        return Document(new JsonObject { ["/a"] = new JsonObject { ["get"] = operation } }, new JsonObject { [kind] = components });
    }

    /// <summary>A spec of <paramref name="count"/> distinct GET operations.</summary>
    public static string Operations(int count)
    {
        var paths = new JsonObject();
        for (var i = 0; i < count; i++)
        {
            paths[$"/r{i}"] = new JsonObject { ["get"] = new JsonObject { ["operationId"] = $"op{i}", ["responses"] = Response(null) } };
        }

        return Document(paths, new JsonObject());
    }

    private static JsonObject Get(JsonNode? schema) =>
        new() { ["/a"] = new JsonObject { ["get"] = new JsonObject { ["responses"] = Response(schema) } } };

    private static JsonObject Response(JsonNode? schema)
    {
        var ok = new JsonObject { ["description"] = "ok" };
        if (schema is not null)
        {
            ok["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
        }

        return new JsonObject { ["200"] = ok };
    }

    private static JsonObject Ref(string kind, string name) => new() { ["$ref"] = $"#/components/{kind}/{name}" };

    private static string Document(JsonObject paths, JsonObject components) => new JsonObject
    {
        ["openapi"] = "3.0.0",
        ["info"] = new JsonObject { ["title"] = "hostile", ["version"] = "1" },
        ["paths"] = paths,
        ["components"] = components,
    }.ToJsonString();
}
