using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// The routing options in force. A reload is validated when it is first read; an invalid one (a typo in a price
/// while the service runs) would make every read throw, so the last valid settings stay in force and the refusal is
/// logged once per change.
/// </summary>
internal sealed partial class RoutingSettings(IOptionsMonitor<RoutingOptions> monitor, ILogger<RoutingSettings> logger)
{
    private readonly Lock _gate = new();
    private RoutingOptions? _lastValid;
    private string? _lastRefusal;

    public RoutingOptions Current
    {
        get
        {
            try
            {
                var current = monitor.CurrentValue;
                lock (_gate)
                {
                    _lastValid = current;
                    _lastRefusal = null;
                }

                return current;
            }
            catch (OptionsValidationException ex)
            {
                lock (_gate)
                {
                    if (_lastValid is null)
                    {
                        throw;
                    }

                    if (_lastRefusal != ex.Message)
                    {
                        _lastRefusal = ex.Message;
                        LogRefused(ex.Message);
                    }

                    return _lastValid;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The changed routing settings are invalid and were not applied; the previous ones stay in force: {Errors}")]
    private partial void LogRefused(string errors);
}
