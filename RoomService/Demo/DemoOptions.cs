namespace LiveIm.RoomService.Demo;

/// <summary>The demo room's settings (section <c>Demo</c>; docs/operations.md, "Demo room").</summary>
public sealed class DemoOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Demo";

    /// <summary>
    /// Serve the demo pages at <c>/demo/</c>. On by default: static pages that hold no secret; outside Development
    /// they take their token from the page that hosts them, so they give nobody access they did not have.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the built pages are; default the <c>demo</c> folder next to RoomService.dll (the build puts them there).</summary>
    public string? Path { get; set; }
}
