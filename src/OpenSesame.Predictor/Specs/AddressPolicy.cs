using System.Net;
using System.Net.Sockets;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Decides which addresses a spec download may connect to. Checked on the resolved addresses at connect time
/// (and on redirects), so a public name that resolves to 10.0.0.1 is refused as surely as the literal address.
/// </summary>
public static class AddressPolicy
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
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
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)     // carrier-grade NAT
                || b[0] == 0                                      // "this" network
                || b[0] >= 224);                                  // multicast and reserved
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC);                        // unique local fc00::/7
        }

        return false;
    }
}
