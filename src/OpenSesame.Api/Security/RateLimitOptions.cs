namespace OpenSesame.Api.Security;

/// <summary>How many requests each caller may make. Section "Security:RateLimit" of the configuration.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Security:RateLimit";

    /// <summary>Whether rate-limited routes are limited at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests one caller may make per window. Default 60.</summary>
    public int PermitLimit { get; set; } = 60;

    /// <summary>The window, which starts with a caller's first request in it. Default one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
