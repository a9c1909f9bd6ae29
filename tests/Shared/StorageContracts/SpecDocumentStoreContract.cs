using OpenSesame.Predictor.Specs;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="ISpecDocumentStore"/> must do.</summary>
public abstract class SpecDocumentStoreContract : StoreContract
{
    private ISpecDocumentStore Store => Get<ISpecDocumentStore>();

    [Fact]
    public async Task ADocumentIsFoundByItsUrlWithItsHashAndTimeAndItsContentReadSeparately()
    {
        var content = "openapi: 3.0.0\ninfo: { title: Ünïcode ✓, version: '1' }\n";
        await Store.SaveAsync(new StoredSpecDocument("https://example.com/spec.yaml", "hash-1", Start, content), Cancel);

        var found = await Store.FindAsync("https://example.com/spec.yaml", Cancel);

        Assert.Equal(new StoredSpecDocument("https://example.com/spec.yaml", "hash-1", Start, null), found);
        Assert.Equal(content, await Store.ReadContentAsync("https://example.com/spec.yaml", Cancel));
        Assert.Null(await Store.FindAsync("https://example.com/other.yaml", Cancel));
        Assert.Null(await Store.ReadContentAsync("https://example.com/other.yaml", Cancel));
    }

    [Fact]
    public async Task SavingAUrlAgainReplacesItsDocument()
    {
        await Store.SaveAsync(new StoredSpecDocument("https://example.com/spec.yaml", "hash-1", Start, "old"), Cancel);
        await Store.SaveAsync(new StoredSpecDocument("https://example.com/spec.yaml", "hash-2", Start.AddHours(1), "new"), Cancel);

        Assert.Equal(("hash-2", Start.AddHours(1)), ((await Store.FindAsync("https://example.com/spec.yaml", Cancel))!.ContentHash,
            (await Store.FindAsync("https://example.com/spec.yaml", Cancel))!.FetchedAt));
        Assert.Equal("new", await Store.ReadContentAsync("https://example.com/spec.yaml", Cancel));
        Assert.Equal(1, await CountRowsAsync("spec_documents"));
    }
}
