using SelectBench.Cli;

// The command line only parses arguments and calls the library. Each command is one class in Commands/
// marked with [CliCommand("name")] (or "group name" for nested commands such as "data info"); CommandLine
// checks the options and turns user errors, file-system errors included, into exit 2 with one line.
return CommandLine.Run(args, Console.Error);
