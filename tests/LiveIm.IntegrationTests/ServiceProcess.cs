using LiveIm.Testing;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A built LiveIm service started from its own build output as deployed (<c>dotnet RoomService.dll</c> in the folder
/// that holds it and its appsettings.json), with the given environment variables and command-line arguments and
/// nothing added: the tests of where a service listens use it, so nothing here may choose the address for it.
/// </summary>
public sealed class ServiceProcess : ServerProcess
{
    private readonly string _project;
    private readonly string[] _arguments;
    private readonly Dictionary<string, string> _environment;

    /// <param name="project">The service's project (and assembly) name: <c>RoomService</c> or <c>RoomGateway</c>.</param>
    /// <param name="port">The port the service is told to listen on (the start waits for it on loopback).</param>
    /// <param name="environment">Environment variables added to the test's own.</param>
    /// <param name="arguments">Command-line arguments after the assembly.</param>
    public ServiceProcess(string project, int port, IReadOnlyDictionary<string, string> environment, params string[] arguments)
        : base(port)
    {
        _project = project;
        _arguments = arguments;
        _environment = new Dictionary<string, string>(environment);
    }

    /// <summary>
    /// The service's build output, in the configuration and framework of this test build (the test project references
    /// the services, so they are built with it): this folder is <c>tests/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>.
    /// </summary>
    public string OutputFolder
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(RepositoryRoot, _project, "bin", here.Parent!.Name, here.Name);
        }
    }

    /// <summary>The folder holding LiveIm.sln (this test build is in <c>tests/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>).</summary>
    public static string RepositoryRoot
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

            throw new InvalidOperationException("LiveIm.sln not found above " + AppContext.BaseDirectory);
        }
    }

    protected override string FileName => "dotnet";

    protected override string LogName => $"{_project}-process-{Port}";

    protected override IEnumerable<string> Arguments => [Path.Combine(OutputFolder, _project + ".dll"), .. _arguments];

    protected override string? WorkingDirectory => OutputFolder;

    protected override IReadOnlyDictionary<string, string> Environment => _environment;
}
