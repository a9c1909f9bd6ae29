using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Guardrails;

namespace OpenSesame.Api.Tests.Security;

public sealed class ApiKeyRingTests
{
    private static ApiKeyRing Ring(params (string Owner, string Key, string[] Roles)[] keys) => new(Options.Create(new AccessOptions
    {
        ApiKeys = [.. keys.Select(k => new ApiKeyEntry { Owner = k.Owner, Sha256 = ApiKeys.Sha256Hex(k.Key), Roles = k.Roles })],
    }));

    [Fact]
    public void FindsTheHolderOfAKeyByItsHashWithItsRolesSpelledAsTheServiceDoes()
    {
        var ring = Ring(("alice", "os_a", ["predict"]), ("bob", "os_b", ["Predict", "ADMIN", "predict"]));

        Assert.Equal("alice", ring.Find("os_a")?.Owner);
        Assert.Equal(["predict", "admin"], ring.Find("os_b")!.Roles);
        Assert.Null(ring.Find("os_c"));
        Assert.Null(ring.Find(""));
    }

    [Fact]
    public void AcceptsHashesWrittenInUppercase()
    {
        var ring = new ApiKeyRing(Options.Create(new AccessOptions
        {
            ApiKeys = [new ApiKeyEntry { Owner = "alice", Sha256 = ApiKeys.Sha256Hex("os_a").ToUpperInvariant(), Roles = ["predict"] }],
        }));

        Assert.Equal("alice", ring.Find("os_a")?.Owner);
    }

    [Fact]
    public void ComparesHashesInConstantTimeAndNeverWithOrdinaryEquality()
    {
        var calls = CalledMethods(typeof(ApiKeyRing).GetMethod(nameof(ApiKeyRing.Find))!).ToList();

        Assert.Contains(calls, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.DoesNotContain(calls, m => m.Name is "Equals" or "op_Equality" or "SequenceEqual" or "SequenceCompareTo" or "Compare"
                                              or "CompareOrdinal" or "StartsWith");
    }

    // The methods a method's IL calls (call, callvirt), read from its body: what the compiled code really does.
    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is 0x28 or 0x6F && Resolve(method.Module, BitConverter.ToInt32(il, i + 1)) is { } called)
            {
                yield return called;
            }
        }
    }

    private static MethodBase? Resolve(Module module, int token)
    {
        // Method tokens live in three metadata tables; bytes that merely look like a call are skipped.
        if ((token >>> 24) is not (0x06 or 0x0A or 0x2B))
        {
            return null;
        }

        try
        {
            return module.ResolveMethod(token);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
