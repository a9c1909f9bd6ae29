using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Security;
using OpenSesame.Predictor.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OpenSesame.Api;

/// <summary>
/// OpenTelemetry for the service: the online path's spans and instruments (<see cref="PredictorTelemetry"/>) and ASP.NET
/// Core's, metrics on a Prometheus <c>/metrics</c> endpoint, everything over OTLP when a collector is named, and log
/// lines that carry the trace and span ids of the request they were written in.
/// </summary>
internal static class TelemetryApi
{
    public const string MetricsPath = "/metrics";

    /// <summary>Options bind from the "Telemetry" section and are validated at start; the exporters are chosen from the
    /// same section now, since OpenTelemetry builds its pipelines from what is registered.</summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.Problem() is null, "Telemetry: OtlpEndpoint is empty or an absolute http(s) address, "
                                                + "OtlpProtocol is Grpc or HttpProtobuf, ServiceName is not empty.")
            .ValidateOnStart();
        var settings = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

        // The ids a trace shows are the ones to search the logs for; the parent id adds nothing a trace does not have.
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(string.IsNullOrWhiteSpace(settings.ServiceName)
                ? new TelemetryOptions().ServiceName : settings.ServiceName,
                serviceVersion: typeof(TelemetryApi).Assembly.GetName().Version?.ToString()))
            // Spans are made even with no exporter: a test's in-memory exporter, or an operator's OTLP one, sees them the
            // same way. Scrapes and probes, every few seconds, would be most of the traces and say nothing.
            .WithTracing(tracing => tracing
                .AddSource(PredictorTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsOperational(context.Request.Path)));
        if (settings.Prometheus.Enabled || settings.Otlp is not null)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(PredictorTelemetry.Name).AddAspNetCoreInstrumentation().AddMeter("System.Runtime");
                if (settings.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        if (settings.Otlp is { } collector)
        {
            telemetry.UseOtlpExporter(settings.OtlpProtocol, collector);
        }

        return services;
    }

    /// <summary><c>GET /metrics</c> when <see cref="PrometheusOptions.Enabled"/>: the <c>admin</c> role, unless
    /// <see cref="PrometheusOptions.AllowAnonymous"/>. Not rate limited: the exporter answers repeated scrapes from a
    /// cached copy.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder routes)
    {
        var prometheus = routes.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.Prometheus;
        if (!prometheus.Enabled)
        {
            return routes;
        }

        var endpoint = routes.MapPrometheusScrapingEndpoint(MetricsPath);
        if (prometheus.AllowAnonymous)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(AccessPolicy.Admin);
        }

        return routes;
    }

    private static bool IsOperational(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
