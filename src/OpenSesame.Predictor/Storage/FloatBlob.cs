using System.Buffers.Binary;

namespace OpenSesame.Predictor.Storage;

/// <summary>
/// Rows of float32 as one blob, row after row, little-endian whatever the machine: the format every storage provider
/// keeps operation embeddings and logged feature vectors in, so a ranking group or a spec's vectors read back in one
/// step and a copy of the store means the same on any host.
/// </summary>
internal static class FloatBlob
{
    /// <exception cref="ArgumentException">A row is not <paramref name="width"/> long.</exception>
    public static byte[] Encode(IReadOnlyList<float[]> rows, int width)
    {
        var blob = new byte[rows.Count * width * sizeof(float)];
        var offset = 0;
        foreach (var row in rows)
        {
            if (row.Length != width)
            {
                throw new ArgumentException($"Every row must hold {width} values; one holds {row.Length}.", nameof(rows));
            }

            foreach (var value in row)
            {
                BinaryPrimitives.WriteSingleLittleEndian(blob.AsSpan(offset), value);
                offset += sizeof(float);
            }
        }

        return blob;
    }

    /// <summary>Whether <paramref name="blob"/> holds exactly <paramref name="count"/> rows of <paramref name="width"/>.</summary>
    public static bool Holds(byte[] blob, long count, long width) =>
        count >= 0 && width >= 0 && blob.LongLength == count * width * sizeof(float);

    public static float[][] Decode(byte[] blob, int count, int width)
    {
        if (!Holds(blob, count, width))
        {
            throw new InvalidDataException($"The stored vectors hold {blob.LongLength} bytes, not {count} × {width} floats.");
        }

        var rows = new float[count][];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var row = rows[i] = new float[width];
            for (var d = 0; d < width; d++)
            {
                row[d] = BinaryPrimitives.ReadSingleLittleEndian(blob.AsSpan(offset));
                offset += sizeof(float);
            }
        }

        return rows;
    }
}
