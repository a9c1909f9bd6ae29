using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>Merges OpenAPI JSON documents that describe parts of one API into one document.</summary>
internal static class OpenApiMerge
{
    /// <summary>
    /// The first document with the paths and components of the others added; on a conflict the earlier document wins,
    /// because the versioned additions repeat shared schemas that the main document already defines.
    /// </summary>
    public static string Merge(params string[] files)
    {
        var merged = Parse(files[0]);
        foreach (var file in files.Skip(1))
        {
            var other = Parse(file);
            AddMissing(merged, other, "paths");
            if (other["components"] is JsonObject components)
            {
                foreach (var (section, entries) in components)
                {
                    if (entries is JsonObject)
                    {
                        var target = (JsonObject)(merged["components"] ??= new JsonObject());
                        AddMissing(target, (JsonObject)components, section);
                    }
                }
            }
        }

        return merged.ToJsonString();
    }

    private static JsonObject Parse(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new EvalDataException($"{file}: an OpenAPI document is a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new EvalDataException($"{file}:{(ex.LineNumber ?? 0) + 1}: not valid JSON: {ex.Message}", ex);
        }
    }

    // Adds source[name]'s members that target[name] lacks.
    private static void AddMissing(JsonObject target, JsonObject source, string name)
    {
        if (source[name] is not JsonObject from)
        {
            return;
        }

        var into = (JsonObject)(target[name] ??= new JsonObject());
        foreach (var (key, value) in from)
        {
            if (!into.ContainsKey(key))
            {
                into[key] = value?.DeepClone();
            }
        }
    }
}
