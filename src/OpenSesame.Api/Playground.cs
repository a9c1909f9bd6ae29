using Microsoft.Extensions.FileProviders;

namespace OpenSesame.Api;

/// <summary>The playground page: plain HTML, CSS and one JavaScript module from <c>playground/</c> next to the binary
/// (copied there by the build), so serving it needs neither npm nor a CDN. The page itself is open to anyone; the
/// routes it calls need their roles, and the page asks for a key when the service answers 401.</summary>
internal static class Playground
{
    public const string Path = "/playground";

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
