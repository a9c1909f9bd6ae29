using OpenSesame.Api;
using OpenSesame.Predictor;

// Settings ship next to the binary; relative paths in them (data/, samples/) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddPredictor(builder.Configuration);
builder.Services.AddApiProblemDetails();
builder.Services.AddApiHealthChecks();
builder.Services.AddApiDocs();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapPredictApi();
app.MapHealthApi();
app.MapApiDocs();

app.Run();

/// <summary>Visible to the API tests' WebApplicationFactory.</summary>
public partial class Program;
