using System.Net;
using System.Net.Sockets;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Decides which addresses a spec download may connect to. Checked on the resolved addresses at connect time
/// (and on redirects), so a public name that resolves to 10.0.0.1 is refused as surely as the literal address.
/// Decimal, hex and octal spellings of IPv4 (<c>2130706433</c>, <c>0x7f.1</c>) reach here already normalised by
/// <see cref="Uri"/>; IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
/// </summary>
public static class AddressPolicy
{
    // Names that reach cloud instance metadata without a DNS answer anyone could check.
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    };

    public static bool IsMetadataHost(string host) => MetadataHosts.Contains(host.TrimEnd('.'));

    public static bool IsPublic(IPAddress address)
    {
        if (EmbeddedIPv4(address) is { } embedded)
        {
            address = embedded;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Broadcast) || address.Equals(IPAddress.IPv6None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10                                   // private
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)      // private
                || (b[0] == 192 && b[1] == 168)                   // private
                || (b[0] == 169 && b[1] == 254)                   // link-local, cloud metadata
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)     // carrier-grade NAT (Alibaba's metadata too)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)   // protocol assignments, documentation
                || (b[0] == 198 && b[1] is 18 or 19)              // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)     // documentation
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)      // documentation
                || b[0] == 0                                      // "this" network
                || b[0] >= 224);                                  // multicast and reserved
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                          // unique local fc00::/7 (AWS metadata fd00:ec2::254)
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)); // documentation 2001:db8::/32
        }

        return false;
    }

    /// <summary>
    /// The IPv4 address an IPv6 address carries, if it is one of the forms that route to it: IPv4-mapped
    /// (<c>::ffff:a.b.c.d</c>), IPv4-compatible (<c>::a.b.c.d</c>), NAT64 (<c>64:ff9b::a.b.c.d</c>) or 6to4
    /// (<c>2002:aabb:ccdd::</c>).
    /// </summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return new IPAddress(b.AsSpan(2, 4));
        }

        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        var compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1);
        return nat64 || compatible ? new IPAddress(b.AsSpan(12, 4)) : null;
    }
}
