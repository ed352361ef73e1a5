using LiveIm.Core.Errors;
using LiveIm.Hosting.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Demo;

/// <summary>
/// The demo room at <c>/demo/</c>: a viewer page and a streamer page built from <c>clients/js</c> (the SDK and
/// <c>@microsoft/signalr</c> bundled from npm at build time: nothing comes from the internet when a page runs), and
/// <c>/demo/config.json</c>, which tells the pages whether dev tokens are on. Without the built pages (npm was
/// missing when RoomService was built) <c>/demo/</c> answers 503 saying so.
/// </summary>
public static class DemoPages
{
    /// <summary>The URL prefix.</summary>
    public const string Prefix = "/demo";

    /// <summary>Registers the options.</summary>
    public static void AddDemoPages(this WebApplicationBuilder builder) =>
        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.Section));

    /// <summary>Maps the pages (when <c>Demo:Enabled</c>).</summary>
    public static void MapDemoPages(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var root = options.Path ?? System.IO.Path.Combine(AppContext.BaseDirectory, "demo");
        var devTokens = app.Configuration.GetValue("DevTokens:Enabled", false);
        app.MapGet(Prefix + "/config.json", () => Results.Json(new { devTokens }));

        // "/demo" to "/demo/" (the pages' relative links need the slash). Not an endpoint: routing treats both paths as
        // one, and a matched endpoint would keep the static files from answering "/demo/".
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value == Prefix)
            {
                context.Response.Redirect(Prefix + "/" + context.Request.QueryString);
                return Task.CompletedTask;
            }

            return next(context);
        });
        if (!File.Exists(System.IO.Path.Combine(root, "viewer.html")))
        {
            app.MapGet(Prefix + "/{**page}", () => ApiError.Result(
                StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                "the demo pages were not built (npm was missing when RoomService was built): install Node.js 18+ and npm, then build again"));
            return;
        }

        var files = new PhysicalFileProvider(System.IO.Path.GetFullPath(root));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Prefix });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Prefix,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";

                // Scripts and styles from this origin only (no inline script, no CDN); connections to RoomService and to
                // the gateways the assignment hands out, which live on other origins.
                headers.ContentSecurityPolicy =
                    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; object-src 'none'; base-uri 'none'";
            },
        });
    }
}
