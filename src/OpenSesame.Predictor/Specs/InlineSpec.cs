using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenSesame.Predictor.Specs;

/// <summary>How a request wrote its inline spec.</summary>
public enum InlineSpecForm
{
    /// <summary>A JSON string: the document's JSON or YAML text.</summary>
    Text,

    /// <summary>A JSON object: the document itself.</summary>
    JsonObject,

    /// <summary>A number, an array or a boolean: no document.</summary>
    NotADocument,
}

/// <summary>
/// A spec sent inside a request (<c>spec</c>), as the document's UTF-8 bytes and their SHA-256, the key its parsed
/// catalog is cached by. An inline spec of megabytes comes with every request that uses it, and on all but the first
/// its hash alone finds the catalog: read as a <see cref="JsonElement"/> it was validated twice and held four times
/// (the body, the element's copy, a UTF-16 string, and its UTF-8 again for the hash) before that. A JSON string is
/// unescaped once into bytes here; its text is decoded only when the catalog has to be parsed.
/// </summary>
[JsonConverter(typeof(InlineSpecJsonConverter))]
public sealed class InlineSpec
{
    private readonly byte[] _utf8;
    private readonly int _length;
    private string? _contentHash;

    private InlineSpec(InlineSpecForm form, byte[] utf8, int length) => (Form, _utf8, _length) = (form, utf8, length);

    public InlineSpecForm Form { get; }

    /// <summary>The document's UTF-8 bytes; for <see cref="InlineSpecForm.JsonObject"/> and
    /// <see cref="InlineSpecForm.NotADocument"/> the value's JSON text.</summary>
    public ReadOnlySpan<byte> Utf8 => _utf8.AsSpan(0, _length);

    /// <summary>The same hash a file or a download of the same text gets (<see cref="OpenApiCatalogParser.HashOf(string)"/>).</summary>
    public string ContentHash => _contentHash ??= OpenApiCatalogParser.HashOf(Utf8);

    /// <summary>Nothing but spaces, tabs and line breaks.</summary>
    public bool IsBlank => Utf8.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    public static InlineSpec FromText(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var utf8 = Encoding.UTF8.GetBytes(document);
        return new InlineSpec(InlineSpecForm.Text, utf8, utf8.Length);
    }

    /// <summary>The document's text, decoded anew on every call: only a parse needs it.</summary>
    public string Text() => Encoding.UTF8.GetString(Utf8);

    /// <param name="options">Their rules hold inside an object spec too (<see cref="JsonSerializerOptions.AllowDuplicateProperties"/>).</param>
    internal static InlineSpec Read(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            var form = reader.TokenType == JsonTokenType.StartObject ? InlineSpecForm.JsonObject : InlineSpecForm.NotADocument;
            JsonElement value;
            try
            {
                value = JsonSerializer.Deserialize<JsonElement>(ref reader, options);
            }
            catch (JsonException ex)
            {
                // Thrown with the nested call's path ("$"); without one, the caller's serializer names this property.
                throw new JsonException(ex.Message, ex);
            }

            // As written, spaces and escapes included: the hash an object spec always had (of its raw text).
            var json = JsonMarshal.GetRawUtf8Value(value).ToArray();
            return new InlineSpec(form, json, json.Length);
        }

        // Unescaping never lengthens a string, so its escaped length is room enough; the few bytes escapes free are
        // not worth a second copy of megabytes.
        var room = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)room));
        int length;
        try
        {
            length = reader.CopyString(bytes);
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException(null, ex);
        }

        // Raw bytes are copied as they came; UTF-8 that is not would hash as one document and decode as another.
        return System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, length))
            ? new InlineSpec(InlineSpecForm.Text, bytes, length)
            : throw new JsonException(null, new InvalidOperationException("The inline spec's text is not valid UTF-8."));
    }

    internal void Write(Utf8JsonWriter writer)
    {
        if (Form == InlineSpecForm.Text)
        {
            writer.WriteStringValue(Utf8);
        }
        else
        {
            writer.WriteRawValue(Utf8, skipInputValidation: true);
        }
    }
}

/// <summary>Reads and writes <see cref="InlineSpec"/> as the JSON value the request holds.</summary>
public sealed class InlineSpecJsonConverter : JsonConverter<InlineSpec>
{
    public override InlineSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        InlineSpec.Read(ref reader, options);

    public override void Write(Utf8JsonWriter writer, InlineSpec value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        value.Write(writer);
    }
}
