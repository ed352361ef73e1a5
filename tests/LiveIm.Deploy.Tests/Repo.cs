namespace LiveIm.Deploy.Tests;

/// <summary>Paths in the repository the tests check (found by walking up to LiveIm.sln).</summary>
internal static class Repo
{
    /// <summary>The folder holding LiveIm.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LiveIm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LiveIm.sln not found above " + AppContext.BaseDirectory);
    }
}
