using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Specs;

/// <summary>
/// Downloads spec documents: a deadline, a size cap, and the <see cref="AddressPolicy"/> enforced where the socket
/// is opened, so DNS answers and redirects cannot smuggle a request into a private network. Redirects are followed
/// here rather than by the handler, which would speak HTTP to an <c>ftp://</c> target's port and fail on a
/// <c>file://</c> one with an exception no caller expects.
/// </summary>
public sealed class SpecFetcher(HttpClient http, IOptions<SpecOptions> options)
{
    public const string HttpClientName = "specs";

    /// <summary>The handler every spec download goes through; registered for the named client.</summary>
    public static SocketsHttpHandler CreateHandler(SpecOptions options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = options.FetchTimeout,
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context, options, cancellationToken),
    };

    /// <summary>Checks a host before any socket exists: literal addresses and names that resolve to blocked ones.</summary>
    public static async Task<IPAddress[]> ResolveAllowedAsync(string host, SpecOptions options, CancellationToken cancellationToken)
    {
        if (!options.AllowPrivateNetworks && AddressPolicy.IsMetadataHost(host) && !IsAllowListed(host, null, options))
        {
            throw new SpecException($"The spec host '{host}' is a cloud metadata service; downloads from it are blocked.");
        }

        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SpecException($"The spec host '{host}' does not resolve.");
        }

        // All-or-nothing: one private answer among public ones is how DNS rebinding gets in.
        if (!options.AllowPrivateNetworks && addresses.Any(a => !AddressPolicy.IsPublic(a) && !IsAllowListed(host, a, options)))
        {
            throw new SpecException(
                $"The spec host '{host}' is a private, loopback or link-local address; downloads from it are blocked " +
                "(name it in Specs:AllowedHosts, or set Specs:AllowPrivateNetworks=true, to allow them).");
        }

        return addresses;
    }

    private static bool IsAllowListed(string host, IPAddress? address, SpecOptions options)
    {
        foreach (var entry in options.AllowedHosts)
        {
            if (string.Equals(entry.TrimEnd('.'), host.Trim('[', ']').TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var cidr = entry.Contains('/', StringComparison.Ordinal) ? entry
                : entry + (entry.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (address is not null && IPNetwork.TryParse(cidr, out var network) && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new SpecException($"'{url}' is not an http or https URL.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.FetchTimeout);
        try
        {
            await CheckLiteralHostAsync(uri, settings, cancellationToken);
            using var response = await GetFollowingRedirectsAsync(uri, url, settings, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new SpecException($"Downloading the spec from {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            if (response.Content.Headers.ContentLength > settings.MaxDocumentBytes)
            {
                throw TooLarge(url, settings);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await ReadCappedAsync(stream, settings.MaxDocumentBytes, url, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SpecException($"Downloading the spec from {url} timed out after {settings.FetchTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            throw ex.InnerException as SpecException
                ?? new SpecException($"Downloading the spec from {url} failed: {ex.Message}", ex);
        }
    }

    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri uri, string url, SpecOptions settings,
        CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (redirects >= settings.MaxRedirects)
            {
                throw new SpecException($"Downloading the spec from {url} was redirected more than {settings.MaxRedirects} times (Specs:MaxRedirects).");
            }

            if (!Uri.TryCreate(uri, location, out var next) || (next.Host.Length == 0 && next.Scheme is "http" or "https"))
            {
                throw new SpecException($"Downloading the spec from {url} was redirected to an address that is not a valid URL.");
            }

            if (next.Scheme is not ("http" or "https") || (uri.Scheme == "https" && next.Scheme == "http"))
            {
                throw new SpecException($"Downloading the spec from {url} was redirected to a {next.Scheme} URL; "
                                        + "only redirects to http and https (never from https to http) are followed.");
            }

            await CheckLiteralHostAsync(next, settings, cancellationToken);
            uri = next;
        }
    }

    // Literal private addresses and metadata names are refused before any request is built: no connection is attempted.
    private static async Task CheckLiteralHostAsync(Uri uri, SpecOptions settings, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out _) || AddressPolicy.IsMetadataHost(uri.Host))
        {
            await ResolveAllowedAsync(uri.Host, settings, cancellationToken);
        }
    }

    /// <summary>Reads text up to a byte limit; used for downloads, files and inline documents alike.</summary>
    public static async Task<string> ReadCappedAsync(Stream stream, long maxBytes, string what, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new SpecException($"The spec at {what} is larger than the limit of {maxBytes / (1024 * 1024)} MB.");
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static SpecException TooLarge(string url, SpecOptions settings) =>
        new($"The spec at {url} is larger than the limit of {settings.MaxDocumentBytes / (1024 * 1024)} MB.");

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, SpecOptions options,
        CancellationToken cancellationToken)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, options, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
