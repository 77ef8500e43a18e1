using System.Reflection;
using SelectBench.Cli;
using SelectBench.Common;
using Spectre.Console;
using Spectre.Console.Cli;

// The command line only parses arguments and calls the library. Each command is one class in Commands/
// marked with [CliCommand("name")] (or "group name" for nested commands such as "data info").
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("selectbench");
    config.PropagateExceptions();
    CommandRegistry.Register(config, Assembly.GetExecutingAssembly());
});
try
{
    return app.Run(args);
}
catch (Exception e) when (CommandRegistry.IsUserError(e))
{
    Console.Error.WriteLine($"selectbench: error: {CommandRegistry.UserMessage(e)}");
    return 2;
}
