namespace OpenSesame.Storage.Redis;

/// <summary>The Redis server the instances share. Section "Redis" of the configuration.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string ("127.0.0.1:6379", "redis:6379,password=...,ssl=true").
    /// Default empty: no Redis, every instance keeps its own limits, budget and caches (the embedded default).</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Put before every key, so that several deployments can share one server. Default "opensesame:".</summary>
    public string KeyPrefix { get; set; } = "opensesame:";

    /// <summary>How long one command may take before the caller falls back to what its process knows (limits per
    /// instance, the budget in memory). Short, because a request waits for it. Default 500 ms.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the first connection may take. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Configuration);
}
