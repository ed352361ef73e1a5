using LiveIm.LoadTest.Targets;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class RepoLayoutTests
{
    [Fact]
    public void The_repository_root_is_found_above_the_build_output()
    {
        Assert.True(File.Exists(Path.Combine(RepoLayout.Root, "LiveIm.sln")));
    }

    [Fact]
    public void The_target_processes_dlls_are_built_with_LoadTest()
    {
        Assert.True(File.Exists(RepoLayout.ProjectDll("RoomService")));
        Assert.True(File.Exists(RepoLayout.ProjectDll("RoomGateway")));
        Assert.True(File.Exists(RepoLayout.LoadTestDll));
    }

    [Fact]
    public void A_missing_dll_stops_with_a_build_hint()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => RepoLayout.ProjectDll("NoSuchService"));
        Assert.Contains("NoSuchService.dll is missing at", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet build LiveIm.sln", ex.Message, StringComparison.Ordinal);
    }
}
