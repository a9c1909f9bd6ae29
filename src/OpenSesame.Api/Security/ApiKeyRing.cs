using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Security;

/// <summary>A configured key, ready to compare: its owner, its hash as bytes, and its roles as the service spells them.</summary>
internal sealed record ApiKeyHolder(string Owner, byte[] Hash, IReadOnlyList<string> Roles);

/// <summary>The configured keys, held as hashes only; finds whose a presented key is.</summary>
internal sealed class ApiKeyRing
{
    private readonly ApiKeyHolder[] _holders;

    public ApiKeyRing(IOptions<AccessOptions> options) => _holders =
    [
        .. options.Value.ApiKeys.Select(k => new ApiKeyHolder(
            k.Owner.Trim(),
            Convert.FromHexString(k.Sha256),
            [.. k.Roles.Select(ApiRoles.Normalize).OfType<string>().Distinct()])),
    ];

    public bool IsEmpty => _holders.Length == 0;

    public IEnumerable<string> Owners => _holders.Select(h => h.Owner).Distinct();

    /// <summary>The holder of <paramref name="presentedKey"/>, or null when no configured key has its hash.</summary>
    /// <remarks>
    /// The hashes are compared with <see cref="CryptographicOperations.FixedTimeEquals"/> and every configured key is
    /// compared, matched or not, so the time an answer takes says nothing about how close a guess came or which
    /// entry it matched.
    /// </remarks>
    public ApiKeyHolder? Find(string presentedKey)
    {
        var hash = ApiKeys.Sha256(presentedKey);
        ApiKeyHolder? match = null;
        foreach (var holder in _holders)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, holder.Hash))
            {
                match = holder;
            }
        }

        return match;
    }
}
