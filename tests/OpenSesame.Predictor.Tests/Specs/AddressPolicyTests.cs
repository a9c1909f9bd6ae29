using System.Net;
using Microsoft.Extensions.Options;
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
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("2002:7f00:1::")]
    [InlineData("fd00:ec2::254")]
    [InlineData("100.100.100.200")]
    [InlineData("192.0.2.10")]
    [InlineData("198.18.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    public void RefusesPrivateLoopbackAndLinkLocalAddresses(string address) =>
        Assert.False(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("::ffff:8.8.8.8")]
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

    [Theory]
    [InlineData("http://2130706433/spec.yaml")]
    [InlineData("http://0x7f000001/spec.yaml")]
    [InlineData("http://0177.0.0.1/spec.yaml")]
    [InlineData("http://127.1/spec.yaml")]
    [InlineData("http://0x7f.0.0.1/spec.yaml")]
    [InlineData("http://[::ffff:127.0.0.1]/spec.yaml")]
    [InlineData("http://[::ffff:7f00:1]/spec.yaml")]
    [InlineData("http://[0:0:0:0:0:0:0:1]/spec.yaml")]
    public async Task RefusesEverySpellingOfLoopbackBeforeConnecting(string url)
    {
        var error = await Assert.ThrowsAsync<SpecException>(() => Fetcher(new SpecOptions()).FetchAsync(url, TestContext.Current.CancellationToken));

        Assert.Contains("blocked", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metadata.google.internal")]
    [InlineData("METADATA.google.internal.")]
    [InlineData("instance-data")]
    public async Task RefusesCloudMetadataNamesWithoutLookingThemUp(string host)
    {
        var error = await Assert.ThrowsAsync<SpecException>(() => SpecFetcher.ResolveAllowedAsync(host, new SpecOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("metadata", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task AnAllowListedAddressOrNetworkMayBeReached(string entry)
    {
        var options = new SpecOptions { AllowedHosts = [entry] };

        Assert.NotEmpty(await SpecFetcher.ResolveAllowedAsync("127.0.0.1", options, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<SpecException>(() => SpecFetcher.ResolveAllowedAsync("10.0.0.1", options, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ARedirectIsCheckedLikeTheFirstHost()
    {
        // Only 127.0.0.1 is allowed; the redirect points at 127.0.0.2, which is refused before any socket opens.
        using var server = new LoopbackHttpServer(_ => Task.FromResult((302, "http://127.0.0.2:9/spec.yaml")));
        var options = new SpecOptions { AllowedHosts = ["127.0.0.1"] };

        var error = await Assert.ThrowsAsync<SpecException>(() => Fetcher(options).FetchAsync(server.Url("/spec.yaml"), TestContext.Current.CancellationToken));

        Assert.Contains("127.0.0.2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AtMostThreeRedirectsAreFollowed()
    {
        using var server = new LoopbackHttpServer(request => Task.FromResult(
            int.Parse(request.Url!.AbsolutePath.Trim('/'), System.Globalization.CultureInfo.InvariantCulture) is var hop && hop < 4
                ? (302, $"/{hop + 1}")
                : (200, "openapi: 3.0.0")));
        var options = new SpecOptions { AllowedHosts = ["127.0.0.1"] };

        await Assert.ThrowsAsync<SpecException>(() => Fetcher(options).FetchAsync(server.Url("/0"), TestContext.Current.CancellationToken));
        Assert.Equal("openapi: 3.0.0", await Fetcher(options).FetchAsync(server.Url("/1"), TestContext.Current.CancellationToken));
    }

    private static SpecFetcher Fetcher(SpecOptions options) =>
        new(new HttpClient(SpecFetcher.CreateHandler(options)), Options.Create(options));
}
