using OpenSesame.Api;
using OpenSesame.Api.Security;
using OpenSesame.Predictor;
using OpenSesame.Storage.Sqlite;

// Settings ship next to the binary; relative paths in them (data/, samples/) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddPredictor(builder.Configuration);
builder.Services.AddSqliteStorage();
builder.Services.AddAccessControl();
builder.Services.AddUserRateLimiting();
builder.Services.AddApiProblemDetails();
builder.Services.AddRequestBodyLimits();
builder.Services.AddApiHealthChecks();
builder.Services.AddApiDocs();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAccessControl();
app.UseUserRateLimiting();

app.MapPredictApi();
app.MapFeedbackApi();
app.MapAdminApi();
app.MapCostAnalyticsApi();
app.MapHealthApi();
app.MapApiDocs();

app.Run();

/// <summary>Visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
