using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace OpenSesame.Api;

/// <summary>The slots of <see cref="RequestBodyLimits.UseLargeBodyGate"/>: memory grows with the large bodies held at
/// once, not with the number of clients sending them.</summary>
internal sealed class LargeBodyGate(IOptions<RequestBodyOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentLargeBodies);
    private int _waiting;

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Requests holding a slot now.</summary>
    public int Working => options.Value.MaxConcurrentLargeBodies - _slots.CurrentCount;

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!IsLarge(context.Request))
        {
            await next();
            return;
        }

        var settings = options.Value;
        using var timeout = new CancellationTokenSource(settings.LargeBodyQueueTimeout, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timeout.Token);
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem(
                $"The {settings.MaxConcurrentLargeBodies} requests with a body of {settings.LargeBodyBytes} bytes or more that are worked on at once "
                + $"(Requests:MaxConcurrentLargeBodies) kept this one waiting {settings.LargeBodyQueueTimeout.TotalSeconds:0.###} s "
                + "(Requests:LargeBodyQueueTimeout); retry, or send the spec by spec_url.",
                title: "Too many large requests at once.", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            await next();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private bool IsLarge(HttpRequest request) => request.ContentLength is { } length
        ? length >= options.Value.LargeBodyBytes
        : request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
}
