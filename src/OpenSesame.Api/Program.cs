using OpenSesame.Api;
using OpenSesame.Predictor;

var builder = WebApplication.CreateBuilder(args);

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
