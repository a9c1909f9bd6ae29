using OpenSesame.Api;
using OpenSesame.Api.Security;
using OpenSesame.Predictor;
using OpenSesame.Storage.Postgres;
using OpenSesame.Storage.Redis;
using OpenSesame.Storage.Sqlite;

// Settings ship next to the binary; relative paths in them (data/, samples/) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.UseDefaultAddress();

builder.Services.AddPredictor(builder.Configuration);
builder.Services.AddStartupWarmUp();
builder.Services.AddRedisStorage(builder.Configuration);
builder.Services.AddPostgresStorage(builder.Configuration);
builder.Services.AddSqliteStorage();
builder.Services.AddAccessControl();
builder.Services.AddUserRateLimiting();
builder.Services.AddApiProblemDetails();
builder.Services.AddRequestBodyLimits();
builder.Services.AddIdleMemoryTrim();
builder.Services.AddApiHealthChecks(builder.Configuration);
builder.Services.AddApiDocs();
builder.Services.AddTelemetry(builder.Configuration);

var app = builder.Build();
if (StartupChecks.RefusalOf(app) is { } refusal)
{
    // One line, no stack trace, exit code 1: a configuration mistake, not a crash. Disposing flushes the log.
    app.Logger.LogCritical("{Refusal}", refusal);
    await app.DisposeAsync();
    return 1;
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UsePlayground();
app.UseAccessControl();
app.UseUserRateLimiting();
app.UseLargeBodyGate();

app.MapPredictApi();
app.MapSpecsApi();
app.MapFeedbackApi();
app.MapAdminApi();
app.MapCostAnalyticsApi();
app.MapHealthApi();
app.MapMetrics();
app.MapApiDocs();

await app.RunAsync();
return 0;

/// <summary>Visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
