using Npgsql;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Storage.Postgres;

internal sealed class PostgresSpecDocumentStore(PostgresDatabase database) : ISpecDocumentStore
{
    public async Task<StoredSpecDocument?> FindAsync(string url, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT content_hash, fetched_at_ms FROM spec_documents WHERE url = @url", connection);
        command.Parameters.AddWithValue("url", url);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredSpecDocument(url, reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), null)
            : null;
    }

    public async Task<string?> ReadContentAsync(string url, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT content FROM spec_documents WHERE url = @url", connection);
        command.Parameters.AddWithValue("url", url);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SaveAsync(StoredSpecDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document.Content);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO spec_documents (url, content_hash, fetched_at_ms, content)
            VALUES (@url, @hash, @at, @content)
            ON CONFLICT (url) DO UPDATE SET content_hash = excluded.content_hash, fetched_at_ms = excluded.fetched_at_ms,
                                            content = excluded.content
            """, connection);
        command.Parameters.AddWithValue("url", document.Url);
        command.Parameters.AddWithValue("hash", document.ContentHash);
        command.Parameters.AddWithValue("at", document.FetchedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("content", document.Content);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
