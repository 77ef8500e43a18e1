using System.ComponentModel;
using SelectBench.Benchmark;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

[CliCommand("list", "List what is registered by name: strategies, post-steps, models, encoders, readers, ... with their settings",
    Examples = ["list", "list strategies", "list readers"])]
public sealed class ListCommand : Command<ListCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[registry]")]
        [Description("One registry (strategies, post-steps, models, encoders, readers, ...); all of them when omitted")]
        public string? Registry { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sections = settings.Registry is { } name ? [RegistryCatalog.Get(name)] : RegistryCatalog.Sections;
        bool first = true;
        foreach (var section in sections)
        {
            if (!first) Console.WriteLine();
            first = false;
            var entries = section.Entries();
            Console.WriteLine($"{section.Name} ({entries.Count})");
            int nameWidth = entries.Select(e => e.Name.Length).DefaultIfEmpty(0).Max();
            foreach (var entry in entries)
            {
                var aliases = entry.Aliases.Count > 0 ? $" (also {string.Join(", ", entry.Aliases)})" : "";
                Console.WriteLine($"  {entry.Name.PadRight(nameWidth)}  {entry.Description}{aliases}");
                int keyWidth = entry.Settings.Select(f => f.Key.Length).DefaultIfEmpty(0).Max();
                int typeWidth = entry.Settings.Select(f => f.Type.Length).DefaultIfEmpty(0).Max();
                foreach (var field in entry.Settings)
                    Console.WriteLine($"      {field.Key.PadRight(keyWidth)}  {field.Type.PadRight(typeWidth)}  {field.Default}");
            }
        }
        return 0;
    }
}
