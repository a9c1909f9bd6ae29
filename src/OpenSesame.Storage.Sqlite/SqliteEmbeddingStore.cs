using OpenSesame.Predictor.Semantics;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite;

/// <summary>
/// One row per spec and version in <c>operation_embeddings</c>: the vectors as a single blob of little-endian float32,
/// row after row (<see cref="FloatBlob"/>; GitHub's 744 operations × 384 dimensions are 1.1 MB), which reads back in one step.
/// </summary>
internal sealed class SqliteEmbeddingStore(SqliteDatabase database) : IEmbeddingStore
{
    public async Task<StoredEmbeddings?> FindAsync(string contentHash, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT texts_hash, count, dimensions, vectors FROM operation_embeddings
            WHERE content_hash = $hash AND version = $version
            """;
        command.Parameters.AddWithValue("$hash", contentHash);
        command.Parameters.AddWithValue("$version", version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var (count, dimensions) = (reader.GetInt64(1), reader.GetInt64(2));
        var blob = reader.IsDBNull(3) ? [] : reader.GetFieldValue<byte[]>(3);
        if (dimensions < 1 || !FloatBlob.Holds(blob, count, dimensions))
        {
            throw new InvalidDataException(
                $"The stored vectors hold {blob.LongLength} bytes, not {count} × {dimensions} floats.");
        }

        return new StoredEmbeddings(reader.GetString(0), FloatBlob.Decode(blob, (int)count, (int)dimensions));
    }

    public async Task SaveAsync(string contentHash, string version, StoredEmbeddings embeddings, CancellationToken cancellationToken)
    {
        var vectors = embeddings.Vectors;
        var dimensions = vectors.Count == 0 ? 1 : vectors[0].Length;
        if (vectors.Any(v => v.Length != dimensions))
        {
            throw new ArgumentException("All vectors must have the same length.", nameof(embeddings));
        }

        var blob = FloatBlob.Encode(vectors, dimensions);

        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO operation_embeddings (content_hash, version, texts_hash, count, dimensions, vectors)
            VALUES ($hash, $version, $texts, $count, $dimensions, $vectors)
            ON CONFLICT (content_hash, version) DO UPDATE
            SET texts_hash = $texts, count = $count, dimensions = $dimensions, vectors = $vectors
            """;
        command.Parameters.AddWithValue("$hash", contentHash);
        command.Parameters.AddWithValue("$version", version);
        command.Parameters.AddWithValue("$texts", embeddings.TextsHash);
        command.Parameters.AddWithValue("$count", vectors.Count);
        command.Parameters.AddWithValue("$dimensions", dimensions);
        command.Parameters.AddWithValue("$vectors", blob);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
