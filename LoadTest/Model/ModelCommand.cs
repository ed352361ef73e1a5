using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Model;

/// <summary><c>LoadTest model</c>: prints the capacity model (docs/capacity.md) from measured figures.</summary>
public static class ModelCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "model";

    /// <summary>The committed measured figures, relative to the repository root.</summary>
    public const string DefaultInputs = "LoadTest/Model/measured-inputs.json";

    /// <summary>Runs with the arguments after <c>model</c>; 0 ok, 2 bad options or inputs.</summary>
    public static int Run(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(ModelOptions.Usage);
            return 0;
        }

        try
        {
            Console.Write(Render(ModelOptions.Parse(args), Path.Combine(RepoLayout.Root, DefaultInputs)));
            return 0;
        }
        catch (OptionsException ex)
        {
            Console.Error.WriteLine("model: " + ex.Message);
            return 2;
        }
    }

    /// <summary>The report for <paramref name="options"/>, reading the default inputs from <paramref name="defaultInputs"/>.</summary>
    public static string Render(ModelOptions options, string defaultInputs)
    {
        var inputs = ModelInputs.Load(defaultInputs);
        foreach (var file in options.Inputs)
        {
            inputs.Merge(ModelInputs.Load(file));
        }

        foreach (var (key, value) in options.Sets)
        {
            inputs.Set(key, value, "set on the command line (--set)");
        }

        var workloads = options.Scenarios ? ModelReport.Scenarios(options.Workload) : [options.Workload];
        return ModelReport.Render(workloads.Select(w => CapacityModel.Estimate(w, inputs)).ToList(), inputs);
    }
}
