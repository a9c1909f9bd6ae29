using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OpenSesame.Storage.Redis;

/// <summary>
/// The one connection to Redis every Redis-backed service of the process uses, opened on first use. It never makes a
/// caller wait for a server that is away: the first connect does not throw when the server is down (it keeps trying
/// in the background), and commands fail at once while disconnected instead of queueing, so the callers' fall-backs
/// (per-instance limits, the budget in memory) take over within <see cref="RedisOptions.CommandTimeout"/>.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options) : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;

    public RedisOptions Options => options.Value;

    /// <summary>The shared connection, opened on first use.</summary>
    /// <exception cref="InvalidOperationException">Redis is not configured.</exception>
    public async Task<IConnectionMultiplexer> MultiplexerAsync()
    {
        if (Volatile.Read(ref _multiplexer) is { } open)
        {
            return open;
        }

        if (!Options.IsConfigured)
        {
            throw new InvalidOperationException($"{RedisOptions.Section}:Configuration is empty: no Redis is configured.");
        }

        await _connecting.WaitAsync();
        try
        {
            if (_multiplexer is null)
            {
                var configuration = ConfigurationOptions.Parse(Options.Configuration);
                configuration.AbortOnConnectFail = false;
                configuration.BacklogPolicy = BacklogPolicy.FailFast;
                configuration.ConnectTimeout = (int)Options.ConnectTimeout.TotalMilliseconds;
                configuration.AsyncTimeout = configuration.SyncTimeout = (int)Options.CommandTimeout.TotalMilliseconds;
                // A restarted server is found again within a second or two, not after the default backoff of up to a minute.
                configuration.ReconnectRetryPolicy = new LinearRetry(1000);
                Volatile.Write(ref _multiplexer, await ConnectionMultiplexer.ConnectAsync(configuration));
            }

            return _multiplexer!;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async Task<IDatabase> DatabaseAsync() => (await MultiplexerAsync()).GetDatabase();

    /// <summary>A key under <see cref="RedisOptions.KeyPrefix"/>.</summary>
    public RedisKey Key(string name) => Options.KeyPrefix + name;

    // Both, so that a container disposed either way closes the connection.
    public void Dispose()
    {
        _multiplexer?.Dispose();
        _connecting.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.DisposeAsync();
        }

        _connecting.Dispose();
    }
}
