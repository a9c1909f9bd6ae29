using Microsoft.Extensions.FileProviders;

namespace OpenSesame.Api;

/// <summary>The playground and dashboard pages: plain HTML, CSS and JavaScript modules from <c>playground/</c> next to
/// the binary (copied there by the build), with the dashboard's chart library vendored in <c>playground/vendor/</c>, so
/// serving them needs neither npm nor a CDN. The pages themselves are open to anyone; the routes they call need their
/// roles (the dashboard's need <c>admin</c>), and the pages ask for a key when the service answers 401 or 403.</summary>
internal static class Playground
{
    public const string Path = "/playground";

    /// <summary>A short address for the dashboard, redirected to its page under <see cref="Path"/>.</summary>
    public const string DashboardPath = "/dashboard";

    // Everything the page loads comes from this service; a pasted spec or a prediction's text can never run as script.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UsePlayground(this WebApplication app)
    {
        var folder = System.IO.Path.Combine(AppContext.BaseDirectory, "playground");
        if (!Directory.Exists(folder))
        {
            app.Logger.LogWarning("The playground is not served: {Folder} does not exist.", folder);
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // The files change with the service; a browser must not keep an old page against a new API.
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
            },
        });
        return app;
    }
}
