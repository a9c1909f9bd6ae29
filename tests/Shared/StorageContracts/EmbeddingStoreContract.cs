using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IEmbeddingStore"/> must do.</summary>
public abstract class EmbeddingStoreContract : StoreContract
{
    private IEmbeddingStore Store => Get<IEmbeddingStore>();

    private static float[][] RandomVectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())];
    }

    [Fact]
    public async Task VectorsRoundTripBitForBit()
    {
        var vectors = RandomVectors(37, 384, seed: 1);
        vectors[0][0] = float.Epsilon;
        vectors[0][1] = -0f;

        await Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", vectors), Cancel);
        var stored = await Store.FindAsync("hash", "v1", Cancel);

        Assert.NotNull(stored);
        Assert.Equal("texts", stored.TextsHash);
        Assert.Equal(vectors.Length, stored.Vectors.Count);
        for (var i = 0; i < vectors.Length; i++)
        {
            Assert.Equal(vectors[i].Select(BitConverter.SingleToInt32Bits), stored.Vectors[i].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public async Task FindsNothingUnderAnotherHashOrVersion()
    {
        await Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", RandomVectors(3, 4, seed: 2)), Cancel);

        Assert.Null(await Store.FindAsync("hash", "v2", Cancel));
        Assert.Null(await Store.FindAsync("other", "v1", Cancel));
    }

    [Fact]
    public async Task SavingAgainReplacesTheRow()
    {
        await Store.SaveAsync("hash", "v1", new StoredEmbeddings("old", RandomVectors(3, 4, seed: 3)), Cancel);
        var newer = RandomVectors(5, 4, seed: 4);

        await Store.SaveAsync("hash", "v1", new StoredEmbeddings("new", newer), Cancel);
        var stored = await Store.FindAsync("hash", "v1", Cancel);

        Assert.Equal(1, await CountRowsAsync("operation_embeddings"));
        Assert.Equal("new", stored!.TextsHash);
        Assert.Equal(newer, stored.Vectors);
    }

    [Fact]
    public async Task ReportsAShortBlobAsUnreadable()
    {
        await Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", RandomVectors(3, 4, seed: 5)), Cancel);
        await ExecuteAsync("UPDATE operation_embeddings SET vectors = substr(vectors, 1, 20)");

        await Assert.ThrowsAsync<InvalidDataException>(() => Store.FindAsync("hash", "v1", Cancel));
    }

    [Fact]
    public async Task VectorsOfDifferentLengthsAreRefusedAndNothingIsStored()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", [[1f, 2f], [3f]]), Cancel));

        Assert.Null(await Store.FindAsync("hash", "v1", Cancel));
    }
}
