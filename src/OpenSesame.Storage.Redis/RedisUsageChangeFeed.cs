using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Usage;
using StackExchange.Redis;

namespace OpenSesame.Storage.Redis;

/// <summary>
/// Learned usage's change notices on a Redis channel: an instance that wrote a spec's steps publishes the spec's hash,
/// and every other instance reads that spec's layers again within <see cref="UsageOptions.ReloadAfterChange"/> instead
/// of after <see cref="UsageOptions.RefreshInterval"/>. Pub/sub keeps nothing: an instance that was away when a notice
/// went out finds the change on its refresh interval, as without Redis.
/// </summary>
internal sealed partial class RedisUsageChangeFeed : IUsageChangeFeed, IDisposable
{
    // Specs whose last notice is remembered; past it all are forgotten, which costs their layers only the wait for
    // the refresh interval.
    private const int RememberedSpecs = 10_000;

    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Each process's own notices come back to it; they carry this mark so that it skips them.
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, DateTimeOffset> _changedAt = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _lastWarning = long.MinValue;

    public RedisUsageChangeFeed(RedisConnection redis, TimeProvider time, ILogger<RedisUsageChangeFeed> logger)
    {
        _redis = redis;
        _time = time;
        _logger = logger;
        _ = SubscribeAsync();
    }

    private RedisChannel Channel => RedisChannel.Literal(_redis.Options.KeyPrefix + "usage-changed");

    public void Publish(string specHash) => _ = PublishAsync(specHash);

    public DateTimeOffset? LastChange(string specHash) => _changedAt.TryGetValue(specHash, out var at) ? at : null;

    // Only cancelled, not disposed: the subscribing loop may still read its token once after this.
    public void Dispose() => _stopping.Cancel();

    private async Task PublishAsync(string specHash)
    {
        try
        {
            var subscriber = (await _redis.MultiplexerAsync()).GetSubscriber();
            await subscriber.PublishAsync(Channel, _instance + "|" + specHash, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Warn(ex);
        }
    }

    // Until the first subscription succeeds (Redis may be down at start), tried again every few seconds; after it, the
    // connection subscribes again by itself whenever it reconnects.
    private async Task SubscribeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var subscriber = (await _redis.MultiplexerAsync()).GetSubscriber();
                await subscriber.SubscribeAsync(Channel, (_, message) =>
                {
                    if (message.ToString().Split('|', 2) is [var from, var specHash] && from != _instance)
                    {
                        if (_changedAt.Count >= RememberedSpecs)
                        {
                            _changedAt.Clear();
                        }

                        _changedAt[specHash] = _time.GetUtcNow();
                    }
                });
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Warn(ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), _time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    // At most one line a minute: while Redis is away every write would otherwise log one.
    private void Warn(Exception exception)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == long.MinValue || _time.GetElapsedTime(last, now) >= TimeSpan.FromMinutes(1))
            && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            LogUnavailable(_logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis could not carry learned usage's change notices; other instances see new steps on their refresh interval instead.")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
