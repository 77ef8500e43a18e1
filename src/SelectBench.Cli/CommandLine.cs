using System.Reflection;
using SelectBench.Common;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Cli;

/// <summary>The command line as the program runs it: the options checked (<see cref="OptionCheck"/>), then Spectre's app.</summary>
public static class CommandLine
{
    private static Assembly Commands => typeof(CommandLine).Assembly;

    /// <summary>Runs one command line; a user error (bad option, bad input, a file-system error) propagates as an exception.</summary>
    public static int Execute(string[] args, IAnsiConsole? console = null)
    {
        OptionCheck.Check(args, Commands);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("selectbench");
            config.PropagateExceptions();
            if (console != null) config.ConfigureConsole(console);
            CommandRegistry.Register(config, Commands);
        });
        return app.Run(args);
    }

    /// <summary>Runs one command line; a user error becomes exit 2 and one line on <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter error, IAnsiConsole? console = null)
    {
        try
        {
            return Execute(args, console);
        }
        catch (Exception e) when (CommandRegistry.IsUserError(e))
        {
            error.WriteLine($"selectbench: error: {CommandRegistry.UserMessage(e)}");
            return 2;
        }
    }
}
