using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OpenSesame.Predictor.Guardrails;

/// <summary>
/// API keys as the service and <c>opensesame keys new</c> agree on them: 32 random bytes, base64url, behind a
/// recognisable prefix; stored only as the lowercase hex SHA-256 of the key's text.
/// </summary>
/// <remarks>
/// A plain hash is enough because the keys are random: 256 bits cannot be guessed from their hash, so the slow,
/// salted hashing that passwords need would only cost every request time.
/// </remarks>
public static class ApiKeys
{
    /// <summary>Makes a leaked key recognisable to secret scanners and to people.</summary>
    public const string Prefix = "os_";

    public const int Sha256HexLength = 64;

    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(Sha256(key));

    public static byte[] Sha256(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>True for 64 hexadecimal digits, the only form a key may take in configuration.</summary>
    public static bool IsSha256Hex(string? value) =>
        value is { Length: Sha256HexLength } && value.All(char.IsAsciiHexDigit);
}
