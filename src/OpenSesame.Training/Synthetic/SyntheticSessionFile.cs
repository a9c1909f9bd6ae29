using System.Text;
using System.Text.Json;

namespace OpenSesame.Training.Synthetic;

/// <summary>
/// Sessions as JSON Lines, one session per line, each naming its domain so the spec can be found again with
/// <see cref="TrainingCatalogs.Get"/> (an embedded domain's name or a spec path under the shared folder). Streams both ways, so a training set need not fit in memory twice.
/// </summary>
public static class SyntheticSessionFile
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static void Write(string path, IEnumerable<SyntheticSession> sessions)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        foreach (var session in sessions)
        {
            writer.WriteLine(JsonSerializer.Serialize(session, JsonOptions));
        }
    }

    /// <exception cref="JsonException">A line is not a session; the message names the line.</exception>
    public static IEnumerable<SyntheticSession> Read(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            SyntheticSession? session;
            try
            {
                session = JsonSerializer.Deserialize<SyntheticSession>(line, JsonOptions);
            }
            catch (JsonException ex)
            {
                throw new JsonException($"{path}:{number}: {ex.Message}", ex);
            }

            yield return session ?? throw new JsonException($"{path}:{number}: the line is null.");
        }
    }
}
