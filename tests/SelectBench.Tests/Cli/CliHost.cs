using SelectBench.Cli;
using SelectBench.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Cli;

/// <summary>The command line as Program.cs configures it, run in-process; help and parse errors go to a string.</summary>
internal static class CliHost
{
    public static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400; // no wrapping inside option names
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("selectbench");
            config.PropagateExceptions();
            config.ConfigureConsole(console);
            CommandRegistry.Register(config, typeof(RunCommand).Assembly);
        });
        var code = app.Run(args);
        return (code, output.ToString());
    }
}
