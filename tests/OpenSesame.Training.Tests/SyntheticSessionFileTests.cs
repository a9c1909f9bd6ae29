using System.Text.Json;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class SyntheticSessionFileTests
{
    [Fact]
    public void Sessions_round_trip_through_jsonl_one_per_line()
    {
        var sessions = new SyntheticSessionSampler().Sample(100, SyntheticDomains.All, seed: 11);
        var path = Path.GetTempFileName();
        try
        {
            SyntheticSessionFile.Write(path, sessions);
            var read = SyntheticSessionFile.Read(path).ToList();

            Assert.Equal(sessions.Count, File.ReadAllLines(path).Length);
            Assert.Equal(sessions.Count, read.Count);
            for (var i = 0; i < sessions.Count; i++)
            {
                Assert.Equal(Json(sessions[i]), Json(read[i]));
                Assert.Equal(sessions[i].PromptKind, read[i].PromptKind);
                Assert.Equal(sessions[i].Calls.Select(c => c.Key), read[i].Calls.Select(c => c.Key));
                Assert.Equal(sessions[i].Calls.Select(c => c.Timestamp), read[i].Calls.Select(c => c.Timestamp));
                Assert.Same(SyntheticDomains.Get(sessions[i].Domain), SyntheticDomains.Get(read[i].Domain));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_bad_line_is_reported_with_its_number()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["", "{not json"]);

            var error = Assert.Throws<JsonException>(() => SyntheticSessionFile.Read(path).ToList());
            Assert.Contains(":2:", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Json(SyntheticSession session) => JsonSerializer.Serialize(session);
}
