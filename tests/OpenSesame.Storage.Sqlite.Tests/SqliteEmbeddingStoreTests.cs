using OpenSesame.Predictor.Semantics;

namespace OpenSesame.Storage.Sqlite.Tests;

public sealed class SqliteEmbeddingStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static float[][] RandomVectors(int count, int dimensions, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())];
    }

    [Fact]
    public async Task VectorsRoundTripBitForBit()
    {
        using var db = new EmbeddingDatabase();
        var vectors = RandomVectors(37, 384, seed: 1);
        vectors[0][0] = float.Epsilon;
        vectors[0][1] = -0f;

        await db.Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", vectors), Cancel);
        var stored = await db.Store.FindAsync("hash", "v1", Cancel);

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
        using var db = new EmbeddingDatabase();
        await db.Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", RandomVectors(3, 4, seed: 2)), Cancel);

        Assert.Null(await db.Store.FindAsync("hash", "v2", Cancel));
        Assert.Null(await db.Store.FindAsync("other", "v1", Cancel));
    }

    [Fact]
    public async Task SavingAgainReplacesTheRow()
    {
        using var db = new EmbeddingDatabase();
        await db.Store.SaveAsync("hash", "v1", new StoredEmbeddings("old", RandomVectors(3, 4, seed: 3)), Cancel);
        var newer = RandomVectors(5, 4, seed: 4);

        await db.Store.SaveAsync("hash", "v1", new StoredEmbeddings("new", newer), Cancel);
        var stored = await db.Store.FindAsync("hash", "v1", Cancel);

        Assert.Equal(1, await db.CountRowsAsync());
        Assert.Equal("new", stored!.TextsHash);
        Assert.Equal(newer, stored.Vectors);
    }

    [Fact]
    public async Task ReportsAShortBlobAsUnreadable()
    {
        using var db = new EmbeddingDatabase();
        await db.Store.SaveAsync("hash", "v1", new StoredEmbeddings("texts", RandomVectors(3, 4, seed: 5)), Cancel);
        await db.ExecuteAsync("UPDATE operation_embeddings SET vectors = substr(vectors, 1, 20)");

        await Assert.ThrowsAsync<InvalidDataException>(() => db.Store.FindAsync("hash", "v1", Cancel));
    }
}
