using System.Net;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

// These tests examine the decision only: nothing here opens a connection.
public sealed class AddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("224.0.0.1")]
    public void RefusesPrivateLoopbackAndLinkLocalAddresses(string address) =>
        Assert.False(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void AllowsPublicAddresses(string address) =>
        Assert.True(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("10.0.0.7")]
    public async Task BlocksLiteralPrivateHostsBeforeConnectingUnlessAllowed(string host)
    {
        var blocked = new SpecOptions();
        var allowed = new SpecOptions { AllowPrivateNetworks = true };

        var error = await Assert.ThrowsAsync<SpecException>(() => SpecFetcher.ResolveAllowedAsync(host, blocked, TestContext.Current.CancellationToken));
        Assert.Contains("AllowPrivateNetworks", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await SpecFetcher.ResolveAllowedAsync(host, allowed, TestContext.Current.CancellationToken));
    }
}
