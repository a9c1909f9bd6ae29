using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenSesame.Testing;

/// <summary>A real HTTP server on 127.0.0.1 for download tests; it counts the requests it receives. A 3xx answer's
/// body is its <c>Location</c>. A body that starts like JSON is sent as <c>application/json</c> (the LLM SDKs read
/// only that).</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, HttpListenerResponse, Task<(int Status, string Body)>> _respond;
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer(Func<HttpListenerRequest, Task<(int Status, string Body)>> respond)
        : this((request, _) => respond(request))
    {
    }

    /// <param name="respond">May set headers on the response (<c>retry-after</c>) before it returns.</param>
    public LoopbackHttpServer(Func<HttpListenerRequest, HttpListenerResponse, Task<(int Status, string Body)>> respond)
    {
        _respond = respond;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public LoopbackHttpServer(Func<string> body)
        : this(_ => Task.FromResult((200, body())))
    {
    }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _ = Task.Run(async () =>
            {
                try
                {
                    var (status, body) = await _respond(context.Request, context.Response);
                    if (status is >= 300 and < 400)
                    {
                        context.Response.RedirectLocation = body;
                        body = "";
                    }

                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.StatusCode = status;
                    if (body.StartsWith('{'))
                    {
                        context.Response.ContentType = "application/json";
                    }

                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client gave up (a timeout test): nothing to answer.
                }
            });
        }
    }

    /// <summary>A loopback port that was free a moment ago: the server's own, or one where a connection is refused.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
