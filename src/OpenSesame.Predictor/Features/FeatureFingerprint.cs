using System.Security.Cryptography;
using System.Text;

namespace OpenSesame.Predictor.Features;

/// <summary>
/// A short digest of a feature list (names in order). Logged with every served prediction, so that learning from its
/// outcome later can tell a vector of today's <see cref="FeatureSchema"/> from one of an older list: appending a
/// feature changes the length, but a renamed or replaced feature would not, and its vectors must not be mixed.
/// </summary>
public static class FeatureFingerprint
{
    /// <summary>The fingerprint of <see cref="FeatureSchema.Names"/>.</summary>
    public static string Current { get; } = Of(FeatureSchema.Names);

    /// <summary>The first 16 hex digits of the SHA-256 of the names, one per line.</summary>
    public static string Of(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var text = string.Join('\n', names);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
