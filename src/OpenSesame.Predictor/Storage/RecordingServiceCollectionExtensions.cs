using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenSesame.Predictor.Storage;

public static class RecordingServiceCollectionExtensions
{
    /// <summary>The <see cref="RecordWriter"/> every part that records goes through, once however many parts ask for
    /// it, with its options from section "Recording"; it is a hosted service, so stopping writes what it holds.</summary>
    public static IServiceCollection AddRecordWriter(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(RecordWriter)))
        {
            return services;
        }

        services.AddOptions<RecordingOptions>().Bind(configuration.GetSection(RecordingOptions.Section))
            .Validate(o => o.Problem() is null, "Recording: WaitTimeout and DrainTimeout must not be negative, Capacity at least 1.")
            .ValidateOnStart();
        services.AddSingleton<RecordWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordWriter>());
        return services;
    }
}
