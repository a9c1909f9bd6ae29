using OpenTelemetry.Exporter;

namespace OpenSesame.Api;

/// <summary>What the service exports of its traces, metrics and logs. Section "Telemetry" of the configuration.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The Prometheus scrape endpoint, <c>GET /metrics</c>.</summary>
    public PrometheusOptions Prometheus { get; init; } = new();

    /// <summary>Where an OpenTelemetry collector receives traces, metrics and logs over OTLP
    /// (<c>http://collector:4317</c> for gRPC, <c>http://collector:4318</c> for HTTP). Default empty: nothing is sent
    /// anywhere, and spans live only as long as the request.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>; with HttpProtobuf the signals' paths (<c>/v1/traces</c>, ...)
    /// are appended to <see cref="OtlpEndpoint"/>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>The <c>service.name</c> the exported telemetry carries. Default <c>opensesame-predictor</c>.</summary>
    public string ServiceName { get; set; } = "opensesame-predictor";

    /// <summary>The collector's address, or null when none is set.</summary>
    public Uri? Otlp => Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Problem() =>
        !string.IsNullOrWhiteSpace(OtlpEndpoint) && Otlp is null
            ? $"{Section}:OtlpEndpoint must be an absolute http or https address (http://collector:4317), or empty for none."
        : !Enum.IsDefined(OtlpProtocol) ? $"{Section}:OtlpProtocol is Grpc or HttpProtobuf."
        : string.IsNullOrWhiteSpace(ServiceName) ? $"{Section}:ServiceName must not be empty."
        : null;
}

/// <summary>Section "Telemetry:Prometheus".</summary>
public sealed class PrometheusOptions
{
    /// <summary>Serve <c>GET /metrics</c> in Prometheus' text format. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Let anyone who can connect read <c>/metrics</c>, for a scraper that holds no key. Default false: with API
    /// keys configured it needs the <c>admin</c> role (it shows traffic, spend and model quality); with none, it is
    /// open like every route while the service listens on loopback only.</summary>
    public bool AllowAnonymous { get; set; }
}
