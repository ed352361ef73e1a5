using System.Reflection;

namespace LiveIm.LoadTest.Targets;

/// <summary>Where the target processes' DLLs are: built next to their projects, in the configuration LoadTest was built with.</summary>
internal static class RepoLayout
{
    /// <summary>The folder holding LiveIm.sln, found by walking up from this assembly's folder.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LiveIm.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException(
                $"LiveIm.sln was not found above {AppContext.BaseDirectory}: run LoadTest from its build output inside the repository.");
        }
    }

    /// <summary>Release or Debug: the configuration of this build (Release when unknown).</summary>
    public static string Configuration =>
        typeof(RepoLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Configuration")?.Value is { Length: > 0 } c ? c : "Release";

    /// <summary>Target framework folder name of this build (net10.0).</summary>
    public static string TargetFramework => $"net{Environment.Version.Major}.{Environment.Version.Minor}";

    /// <summary>
    /// The built DLL of <paramref name="project"/> in the checkout at <paramref name="systemRoot"/> (null: this one);
    /// throws with a build hint when it is missing.
    /// </summary>
    public static string ProjectDll(string project, string? systemRoot = null)
    {
        var root = systemRoot ?? Root;
        var path = Path.Combine(root, project, "bin", Configuration, TargetFramework, project + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{project}.dll is missing at {path}. Build first: dotnet build " +
                (systemRoot is null ? $"LiveIm.sln -c {Configuration} (dotnet run --project LoadTest builds it too)." : $"{Path.Combine(root, "LiveIm.sln")} -c {Configuration}."), path);
        }

        return path;
    }

    /// <summary>This executable's DLL, to start the baseline and ceiling servers from.</summary>
    public static string LoadTestDll
    {
        get
        {
            // Running as LoadTest itself, or from a test project that copied LoadTest's runtimeconfig beside it.
            var here = Path.Combine(AppContext.BaseDirectory, "LoadTest.dll");
            if (File.Exists(here) && File.Exists(Path.Combine(AppContext.BaseDirectory, "LoadTest.runtimeconfig.json")))
            {
                return here;
            }

            return ProjectDll("LoadTest");
        }
    }

    /// <summary>The dotnet host to start DLLs with: the one running us when known, else dotnet on PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }

            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }
}
