using System.Diagnostics;
using SelectBench.Benchmark;
using SelectBench.Cli;
using SelectBench.Cli.Commands;
using SelectBench.Common;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Benchmark;

public class ListCommandTests
{
    private static (int ExitCode, string Output, string Error) RunCli(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SelectBench.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    [Fact]
    public void ListPrintsEveryRegistryWithNamesDescriptionsAndSettings()
    {
        var (code, output, _) = RunCli("list");
        Assert.Equal(0, code);
        foreach (var section in RegistryCatalog.Sections)
        {
            Assert.Contains($"{section.Name} (", output);
            foreach (var entry in section.Registry.Entries.Where(e => e.Implementation.Assembly == typeof(RegistryCatalog).Assembly))
                Assert.Contains($"  {entry.Name}", output);
        }
        // A setting: snake_case key, type, default.
        Assert.Matches(@"neighbours_per_query\s+int\s+1\n", output.ReplaceLineEndings("\n"));
        Assert.Matches(@"leakage_eval_sets\s+string\[\]\?\s+null\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("LA1000 img2img analogue", output);
    }

    [Fact]
    public void ListOfOneRegistryPrintsOnlyIt()
    {
        var (code, output, _) = RunCli("list", "readers");
        Assert.Equal(0, code);
        Assert.StartsWith("readers (", output);
        Assert.Contains("  webdataset", output);
        Assert.DoesNotContain("embedding-search", output);
    }

    [Fact]
    public void AnUnknownRegistryIsAOneLineErrorWithASuggestion()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            CommandRegistry.Register(config, typeof(ListCommand).Assembly);
        });
        var e = Assert.Throws<SelectBenchException>(() => app.Run(["list", "strategy"]));
        Assert.StartsWith("'strategy' is not a registry; did you mean 'strategies'? use one of strategies, post-steps,", e.Message);
        Assert.True(CommandRegistry.IsUserError(e));
    }
}
