using SelectBench.Cli;
using Spectre.Console;

namespace SelectBench.Tests.Cli;

/// <summary>The command line as Program.cs runs it (<see cref="CommandLine"/>), in-process; help and parse errors go to a string.</summary>
internal static class CliHost
{
    /// <summary>Runs a command line; user errors propagate as exceptions.</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var code = CommandLine.Execute(args, Console(output));
        return (code, output.ToString());
    }

    /// <summary>Runs a command line as the program does: a user error is exit 2 and one line in Error.</summary>
    public static (int Code, string Output, string Error) RunAsProgram(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = CommandLine.Run(args, error, Console(output));
        return (code, output.ToString(), error.ToString());
    }

    private static IAnsiConsole Console(StringWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400; // no wrapping inside option names
        return console;
    }
}
